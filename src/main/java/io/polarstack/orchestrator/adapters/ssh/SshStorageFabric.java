package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.LunNotResolvedException;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.ports.StorageFabricException;
import io.polarstack.orchestrator.ports.UnknownStorageHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/** {@link StorageFabric} over SSH: multipath-tools, mpathpersist and pfs run on the hosts, one connection per host. */
@Component
class SshStorageFabric implements StorageFabric, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshStorageFabric.class);

    private final ClusterResources cluster;
    private final OrchestratorProperties.Storage settings;
    private final SshConnections connections;
    private final ExecutorService fanOut;

    @Autowired
    SshStorageFabric(ClusterResources cluster, OrchestratorProperties properties) {
        this(cluster, properties.storage());
    }

    SshStorageFabric(ClusterResources cluster, OrchestratorProperties.Storage settings) {
        this.cluster = cluster;
        this.settings = settings;
        this.connections = new SshConnections(new SshCredentials(cluster, settings), settings);
        AtomicInteger n = new AtomicInteger();
        this.fanOut = Executors.newFixedThreadPool(settings.parallelHosts(), r -> {
            Thread t = new Thread(r, "storage-fan-out-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        if (settings.acceptAnyHostKey()) {
            log.warn(
                    "orchestrator.storage.accept-any-host-key=true: storage hosts' SSH host keys are NOT verified; use only in a lab");
        }
    }

    // ---- hosts

    @Override
    public List<StorageHost> hosts() {
        return cluster.nodes(settings.nodeSelector()).stream().map(this::host).toList();
    }

    private StorageHost host(ClusterResources.Node node) {
        String key = StorageValues.isIpv4(node.internalIp()) ? StorageValues.keyOfIpv4(node.internalIp()) : null;
        String override = node.annotations().get(settings.addressAnnotation());
        if (override == null || override.isBlank()) {
            return new StorageHost(node.name(), node.internalIp(), settings.port(), key);
        }
        String address = override.strip();
        int port = settings.port();
        int colon = address.lastIndexOf(':');
        if (address.startsWith("[") && address.contains("]")) {
            int close = address.indexOf(']');
            port = close + 1 < address.length() && address.charAt(close + 1) == ':'
                    ? port(node, address.substring(close + 2))
                    : port;
            address = address.substring(1, close);
        } else if (colon > 0 && address.indexOf(':') == colon) {
            port = port(node, address.substring(colon + 1));
            address = address.substring(0, colon);
        }
        return new StorageHost(node.name(), address, port, key);
    }

    private int port(ClusterResources.Node node, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StorageFabricException("Node " + node.name() + " annotation " + settings.addressAnnotation()
                + " has port \"" + text + "\"; expected host or host:port with a port from 1 to 65535");
    }

    private StorageHost find(String node) {
        return hosts().stream()
                .filter(h -> h.node().equals(node))
                .findFirst()
                .orElseThrow(() -> new UnknownStorageHostException("node " + node
                        + " is not a storage host: no such Node"
                        + (settings.nodeSelector().isBlank() ? "" : " matching selector " + settings.nodeSelector())));
    }

    private SshTarget target(StorageHost host) {
        if (host.address() == null || host.address().isBlank()) {
            throw new StorageFabricException("Node " + host.node() + " has no InternalIP; set annotation "
                    + settings.addressAnnotation() + " to the address SSH should use");
        }
        return new SshTarget(host.node(), host.address(), host.port());
    }

    // ---- discovery

    @Override
    public HostLuns discover(String node) {
        return new HostLuns(node, maps(find(node)), null);
    }

    @Override
    public List<HostLuns> discoverAll() {
        return fanOut(hosts(), this::maps).stream()
                .map(r -> new HostLuns(r.node(), r.ok() ? r.value() : List.of(), r.error()))
                .toList();
    }

    private List<Lun> maps(StorageHost host) {
        return MultipathOutput.parseMaps(ok(host, List.of("multipath", "-ll")).stdout());
    }

    @Override
    public ResolvedLun resolve(String wwid) {
        StorageValues.wwid(wwid);
        List<StorageHost> hosts = hosts();
        if (hosts.isEmpty()) {
            throw new StorageFabricException("no storage hosts: no Node"
                    + (settings.nodeSelector().isBlank()
                            ? ""
                            : " matches orchestrator.storage.node-selector " + settings.nodeSelector()));
        }
        List<LunDiagnosis> diagnoses = fanOut(hosts, h -> diagnose(h, wwid)).stream()
                .map(r -> r.ok()
                        ? r.value()
                        : new LunDiagnosis(r.node(), LunState.HOST_UNREACHABLE, null, List.of(), r.error()))
                .toList();
        if (diagnoses.stream().allMatch(d -> d.state() == LunState.READY)) {
            var devices = new LinkedHashMap<String, String>();
            diagnoses.forEach(d -> devices.put(d.node(), d.device()));
            return new ResolvedLun(wwid, devices);
        }
        throw new LunNotResolvedException(wwid, diagnoses);
    }

    private LunDiagnosis diagnose(StorageHost host, String wwid) {
        List<Lun> maps = maps(host);
        List<String> visible = maps.stream().map(Lun::wwid).toList();
        Optional<Lun> lun = maps.stream().filter(l -> l.wwid().equals(wwid)).findFirst();
        if (lun.isPresent()) {
            if (lun.get().usable()) {
                return new LunDiagnosis(host.node(), LunState.READY, lun.get().device(), visible, null);
            }
            return new LunDiagnosis(
                    host.node(),
                    LunState.ALL_PATHS_DOWN,
                    lun.get().device(),
                    visible,
                    lun.get().paths().stream()
                            .map(p -> p.device() + " " + p.dmState() + " " + p.checkerState())
                            .toList()
                            .toString());
        }
        var paths = MultipathOutput.parsePaths(
                        ok(host, List.of("multipathd", "show", "paths", "format", MultipathOutput.PATHS_FORMAT))
                                .stdout())
                .stream()
                .filter(p -> p.wwid().equals(wwid))
                .toList();
        if (!paths.isEmpty()) {
            return new LunDiagnosis(
                    host.node(),
                    LunState.NO_MULTIPATH_DEVICE,
                    null,
                    visible,
                    "paths "
                            + paths.stream()
                                    .map(MultipathOutput.PathRow::device)
                                    .toList());
        }
        return new LunDiagnosis(host.node(), LunState.NOT_ZONED, null, visible, null);
    }

    /** The multipath device of {@code wwid} on one host; reservations and PFS act on it. */
    private Lun device(StorageHost host, String wwid) {
        return maps(host).stream()
                .filter(l -> l.wwid().equals(wwid))
                .findFirst()
                .orElseThrow(() -> new StorageFabricException("LUN " + wwid + " has no multipath device on "
                        + host.node() + "; resolve it for a diagnosis (GET /api/v1/storage/hosts/" + host.node()
                        + "/luns shows what the host sees)"));
    }

    // ---- reservations

    @Override
    public String reservationKey(String node) {
        return key(find(node));
    }

    private String key(StorageHost host) {
        if (host.reservationKey() == null) {
            throw new StorageFabricException(
                    "Node " + host.node() + " has no IPv4 InternalIP, from which its reservation key is"
                            + " derived (0x + hex of the address)");
        }
        return host.reservationKey();
    }

    @Override
    public Reservation readReservation(String wwid, String node) {
        StorageHost host = find(node);
        return read(host, mapDevice(host, wwid), wwid);
    }

    private String mapDevice(StorageHost host, String wwid) {
        String device = device(host, StorageValues.wwid(wwid)).device();
        StorageValues.mapName(device.substring("/dev/mapper/".length()));
        return device;
    }

    private Reservation read(StorageHost host, String device, String wwid) {
        var keys = MpathpersistOutput.parseKeys(
                ok(host, List.of("mpathpersist", "--in", "--read-keys", device)).stdout());
        var held = MpathpersistOutput.parseReservation(
                ok(host, List.of("mpathpersist", "--in", "--read-reservation", device))
                        .stdout());
        return new Reservation(wwid, keys.generation(), keys.keys(), held.holderKey(), held.type());
    }

    @Override
    public Reservation register(String wwid, String node) {
        StorageHost host = find(node);
        String device = mapDevice(host, wwid);
        return register(host, device, wwid, read(host, device, wwid));
    }

    private Reservation register(StorageHost host, String device, String wwid, Reservation current) {
        String key = key(host);
        if (current.registeredKeys().contains(key)) {
            return current;
        }
        // register-and-ignore replaces whatever this host had registered before, so a stale key cannot block it
        out(host, device, "--register-ignore", "--param-sark=" + key);
        return read(host, device, wwid);
    }

    @Override
    public Reservation reserve(String wwid, String node) {
        StorageHost host = find(node);
        String device = mapDevice(host, wwid);
        Reservation current = register(host, device, wwid, read(host, device, wwid));
        if (current.type() != null && current.type() == WRITE_EXCLUSIVE_ALL_REGISTRANTS) {
            return current;
        }
        if (current.type() != null) {
            throw new StorageFabricException("LUN " + wwid + " already has a reservation of type " + current.type()
                    + " held by " + current.holderKey() + "; preempt that key to take the write lock");
        }
        out(host, device, "--reserve", "--param-rk=" + key(host), "--prout-type=" + WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        return read(host, device, wwid);
    }

    @Override
    public Reservation preempt(String wwid, String node, String victimKey) {
        String victim = StorageValues.key(victimKey);
        StorageHost host = find(node);
        String device = mapDevice(host, wwid);
        Reservation current = register(host, device, wwid, read(host, device, wwid));
        return preempt(host, device, wwid, current, victim);
    }

    private Reservation preempt(StorageHost host, String device, String wwid, Reservation current, String victim) {
        String key = key(host);
        if (victim.equals(key)) {
            throw new IllegalArgumentException("node " + host.node() + " cannot preempt its own key " + key);
        }
        boolean holds = victim.equals(current.holderKey());
        if (!current.registeredKeys().contains(victim) && !holds) {
            return current;
        }
        out(
                host,
                device,
                "--preempt",
                "--param-rk=" + key,
                "--param-sark=" + victim,
                "--prout-type=" + WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        return read(host, device, wwid);
    }

    @Override
    public Reservation release(String wwid, String node) {
        StorageHost host = find(node);
        String device = mapDevice(host, wwid);
        Reservation current = read(host, device, wwid);
        if (current.type() == null) {
            return current;
        }
        if (!current.registeredKeys().contains(key(host))) {
            throw new StorageFabricException("node " + host.node() + " cannot release the reservation on LUN " + wwid
                    + ": its key " + key(host) + " is not registered (registered: " + current.registeredKeys() + ")");
        }
        out(host, device, "--release", "--param-rk=" + key(host), "--prout-type=" + current.type());
        return read(host, device, wwid);
    }

    @Override
    public Reservation clear(String wwid, String node) {
        StorageHost host = find(node);
        String device = mapDevice(host, wwid);
        Reservation current = read(host, device, wwid);
        if (current.type() == null && current.registeredKeys().isEmpty()) {
            return current;
        }
        // CLEAR must come from a registered key
        register(host, device, wwid, current);
        out(host, device, "--clear", "--param-rk=" + key(host));
        return read(host, device, wwid);
    }

    @Override
    public Reservation lockWrite(String wwid, String node) {
        StorageHost host = find(node);
        String key = key(host);
        String device = mapDevice(host, wwid);
        Reservation current = read(host, device, wwid);
        if (current.writeLockedTo(key)) {
            log.debug("LUN {} already write-locked to {} ({})", wwid, host.node(), key);
            return current;
        }
        current = register(host, device, wwid, current);
        if (current.type() == null) {
            out(host, device, "--reserve", "--param-rk=" + key, "--prout-type=" + WRITE_EXCLUSIVE_ALL_REGISTRANTS);
            current = read(host, device, wwid);
        } else if (current.type() != WRITE_EXCLUSIVE_ALL_REGISTRANTS) {
            // another reservation type: ours is swapped for type 7, another holder's is preempted into type 7
            if (key.equals(current.holderKey())) {
                out(host, device, "--release", "--param-rk=" + key, "--prout-type=" + current.type());
                out(host, device, "--reserve", "--param-rk=" + key, "--prout-type=" + WRITE_EXCLUSIVE_ALL_REGISTRANTS);
                current = read(host, device, wwid);
            } else {
                current = preempt(host, device, wwid, current, current.holderKey());
            }
        }
        for (String other : current.registeredKeys()) {
            if (!other.equals(key)) {
                log.info("LUN {}: preempting key {} to give {} the write lock", wwid, other, host.node());
                current = preempt(host, device, wwid, current, other);
            }
        }
        Reservation after = read(host, device, wwid);
        if (!after.writeLockedTo(key)) {
            throw new StorageFabricException("write lock of LUN " + wwid + " for " + host.node() + " (key " + key
                    + ") not confirmed by read-back: registered " + after.registeredKeys() + ", reservation type "
                    + after.type()
                    + "; another host may be changing the reservation at the same time");
        }
        log.info("LUN {} write-locked to {} ({})", wwid, host.node(), key);
        return after;
    }

    private void out(StorageHost host, String device, String... action) {
        List<String> argv = new ArrayList<>(List.of("mpathpersist", "--out"));
        argv.addAll(List.of(action));
        argv.add(device);
        ok(host, argv);
    }

    // ---- rescan, resize, PFS

    @Override
    public HostLuns rescan(String node) {
        StorageHost host = find(node);
        ok(host, List.of("rescan-scsi-bus.sh", "-a"));
        ok(host, List.of("multipath", "-r"));
        return new HostLuns(node, maps(host), null);
    }

    @Override
    public List<HostResult<Lun>> resize(String wwid) {
        StorageValues.wwid(wwid);
        return fanOut(hosts(), host -> {
            String device = mapDevice(host, wwid);
            ok(host, List.of("rescan-scsi-bus.sh", "-s"));
            String name = device.substring("/dev/mapper/".length());
            String reply = ok(host, List.of("multipathd", "resize", "map", name))
                    .stdout()
                    .strip();
            if (!reply.equals("ok")) {
                throw new StorageFabricException(
                        "`multipathd resize map " + name + "` on " + host.node() + " answered \"" + reply
                                + "\"; check that the array grew the LUN and all paths were rescanned");
            }
            return device(host, wwid);
        });
    }

    @Override
    public PfsInfo pfsInfo(String wwid, String node) {
        StorageHost host = find(node);
        return pfsInfo(host, wwid, mapDevice(host, wwid));
    }

    private PfsInfo pfsInfo(StorageHost host, String wwid, String device) {
        return PfsOutput.parseInfo(
                wwid,
                ok(host, List.of("pfs", "-C", "disk", "info", pbd(device))).stdout());
    }

    /** PFS names a device by its /dev/mapper name with a {@code mapper_} prefix. */
    private static String pbd(String device) {
        return "mapper_" + device.substring("/dev/mapper/".length());
    }

    @Override
    public PfsInfo growPfs(String wwid, String node, int chunks) {
        StorageValues.pfsChunks(chunks);
        StorageHost host = find(node);
        String device = mapDevice(host, wwid);
        PfsInfo current = pfsInfo(host, wwid, device);
        if (current.chunks() >= chunks) {
            return current;
        }
        ok(
                host,
                List.of(
                        "pfs",
                        "-C",
                        "disk",
                        "growfs",
                        "-f",
                        "-o",
                        Integer.toString(current.chunks()),
                        "-n",
                        Integer.toString(chunks),
                        pbd(device)));
        PfsInfo after = pfsInfo(host, wwid, device);
        if (after.chunks() != chunks) {
            throw new StorageFabricException("PFS on LUN " + wwid + " has " + after.chunks()
                    + " chunks after growfs to " + chunks + " on " + host.node());
        }
        return after;
    }

    // ---- running commands

    /** Runs one command on a host and fails, with its output, unless it exits 0. */
    SshConnections.Result ok(StorageHost host, List<String> argv) {
        SshConnections.Result result = run(host, argv);
        if (result.exitStatus() != 0) {
            String detail = (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip();
            throw new StorageFabricException("`" + String.join(" ", argv) + "` on " + host.node() + " exited with "
                    + result.exitStatus() + ": " + StorageValues.printable(detail, 500));
        }
        return result;
    }

    SshConnections.Result run(StorageHost host, List<String> argv) {
        return connections.run(target(host), argv, settings.commandTimeout());
    }

    SshConnections.Result run(String node, List<String> argv) {
        return run(find(node), argv);
    }

    /** Runs {@code op} on every host, at most {@code parallel-hosts} at a time; one host's failure is its own result. */
    private <T> List<HostResult<T>> fanOut(List<StorageHost> hosts, Function<StorageHost, T> op) {
        List<Future<T>> futures =
                hosts.stream().map(h -> fanOut.submit(() -> op.apply(h))).toList();
        List<HostResult<T>> results = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String node = hosts.get(i).node();
            try {
                results.add(new HostResult<>(node, futures.get(i).get(), null));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                log.warn("{}: {}", node, cause.getMessage());
                results.add(new HostResult<>(node, null, cause.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new StorageFabricException("interrupted while waiting for storage hosts");
            }
        }
        return results;
    }

    @Override
    public void close() {
        fanOut.shutdownNow();
        connections.close();
    }
}
