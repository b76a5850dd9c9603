package io.polarstack.orchestrator.cli;

import io.polarstack.orchestrator.OrchestratorApplication;
import io.polarstack.orchestrator.agent.ManagerAgent;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;

/**
 * The jar's entry point. It picks the command before anything heavy starts, so commands that
 * need no engine (the manager agent inside a database pod) start in well under a second.
 */
public final class Main {

    static final String USAGE = """
            usage: java -jar orchestrator.jar [serve] [--property=value ...]
              serve    run the orchestrator (the default)
              manager-agent <action>
                       run one manager action on the local engine (see manager-agent --help)
              image build -f image.yml [--no-cache]
                       build the images of image.yml (BuildImages on an embedded engine)
              help     print this text
            """;

    private Main() {}

    public static void main(String[] args) {
        boolean implicitServe = args.length == 0 || (args[0].startsWith("--") && !args[0].equals("--help"));
        String command = implicitServe ? "serve" : args[0];
        String[] rest = implicitServe ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "serve" -> {
                var application = new SpringApplication(OrchestratorApplication.class);
                application.setMainApplicationClass(OrchestratorApplication.class);
                application.run(rest);
            }
            case "manager-agent" -> System.exit(ManagerAgent.run(rest));
            case "image" -> System.exit(ImageBuildCommand.run(rest));
            case "help", "--help", "-h" -> System.out.print(USAGE);
            default -> {
                System.err.printf("unknown command '%s'%n%s", command, USAGE);
                System.exit(2);
            }
        }
    }
}
