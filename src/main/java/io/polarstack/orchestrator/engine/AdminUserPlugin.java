package io.polarstack.orchestrator.engine;

import io.polarstack.orchestrator.OrchestratorProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the administrator on first start. There is no built-in password: it comes from
 * configuration, the environment or a mounted secret file; with none, a random one is generated,
 * stored only as the engine's salted hash, and shown once on the console.
 */
public class AdminUserPlugin extends AbstractProcessEnginePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(AdminUserPlugin.class);

    private final OrchestratorProperties.Admin admin;

    public AdminUserPlugin(OrchestratorProperties.Admin admin) {
        this.admin = admin;
    }

    /**
     * The engine's own lock-out counts failures per user from any address: ten wrong passwords from anyone lock the
     * administrator until someone unlocks it, and every failure delays the next login for everyone. Both off: failed
     * logins lock the client address instead (rest.LoginThrottle), so the administrator is never locked out for good.
     */
    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setLoginMaxAttempts(Integer.MAX_VALUE);
        configuration.setLoginDelayBase(0);
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        IdentityService identity = engine.getIdentityService();
        String configured = configuredPassword();
        User user = identity.createUserQuery().userId(admin.id()).singleResult();
        if (user == null) {
            user = identity.newUser(admin.id());
            user.setFirstName("Orchestrator");
            user.setLastName("Administrator");
            String password = configured != null ? configured : generatePassword();
            user.setPassword(password);
            identity.saveUser(user);
            if (configured == null) {
                announce(password);
            } else {
                LOG.info("Created administrator '{}' with the configured password", admin.id());
            }
        } else if (configured != null && !identity.checkPassword(admin.id(), configured)) {
            identity.unlockUser(admin.id()); // that check counted as a failed login
            User current = identity.createUserQuery().userId(admin.id()).singleResult();
            current.setPassword(configured);
            identity.saveUser(current);
            LOG.info("Administrator '{}': password changed to the configured one", admin.id());
        }
        grantAdministration(identity, engine.getAuthorizationService());
    }

    private String configuredPassword() {
        if (admin.password() != null && !admin.password().isEmpty()) {
            return admin.password();
        }
        if (admin.passwordFile() == null || admin.passwordFile().isBlank()) {
            return null;
        }
        Path file = Path.of(admin.passwordFile());
        try {
            String password = Files.readString(file).strip();
            if (password.isEmpty()) {
                throw new IllegalStateException("orchestrator.admin.password-file " + file
                        + " is empty; put the administrator password in it or unset the setting");
            }
            return password;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "orchestrator.admin.password-file " + file + " cannot be read (" + e
                            + "); mount the secret there or unset the setting",
                    e);
        }
    }

    private static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // Straight to the console, never through the logging system, so no log file keeps it.
    private void announce(String password) {
        System.out.printf("""

                ==================================================================
                 Administrator '%s' created with a generated password:

                     %s

                 It is shown only this once and stored only as a salted hash.
                 Change it in Admin (/camunda/app/admin/) under Users > %s, or set
                 ORCHESTRATOR_ADMIN_PASSWORD (or orchestrator.admin.password-file)
                 and restart.
                ==================================================================

                """, admin.id(), password, admin.id());
        System.out.flush();
    }

    private void grantAdministration(IdentityService identity, AuthorizationService authorizations) {
        if (identity.createGroupQuery().groupId(Groups.CAMUNDA_ADMIN).count() == 0) {
            Group group = identity.newGroup(Groups.CAMUNDA_ADMIN);
            group.setName("Orchestrator administrators");
            group.setType(Groups.GROUP_TYPE_SYSTEM);
            identity.saveGroup(group);
        }
        if (identity.createUserQuery()
                        .userId(admin.id())
                        .memberOfGroup(Groups.CAMUNDA_ADMIN)
                        .count()
                == 0) {
            identity.createMembership(admin.id(), Groups.CAMUNDA_ADMIN);
        }
        for (Resources resource : Resources.values()) {
            boolean granted = authorizations
                            .createAuthorizationQuery()
                            .groupIdIn(Groups.CAMUNDA_ADMIN)
                            .resourceType(resource)
                            .resourceId(Authorization.ANY)
                            .count()
                    > 0;
            if (!granted) {
                Authorization grant = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
                grant.setGroupId(Groups.CAMUNDA_ADMIN);
                grant.setResource(resource);
                grant.setResourceId(Authorization.ANY);
                grant.addPermission(Permissions.ALL);
                authorizations.saveAuthorization(grant);
            }
        }
    }
}
