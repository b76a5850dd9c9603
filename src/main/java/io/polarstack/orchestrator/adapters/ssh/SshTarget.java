package io.polarstack.orchestrator.adapters.ssh;

/** Where SSH reaches a storage host. */
record SshTarget(String node, String host, int port) {

    @Override
    public String toString() {
        return node + " (" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + ")";
    }
}
