package io.polarstack.orchestrator.ports;

import java.util.List;
import java.util.Map;

/**
 * The shared SAN as the storage hosts (the Kubernetes Nodes) see it: multipath LUNs by WWID, the SCSI-3
 * persistent reservation that says which host may write, rescans, resizes and PFS growth.
 * <p>
 * Every operation is safe to repeat: it reads the current state first and acts only on a difference.
 * Technical failures (host unreachable, command failed or timed out) are {@link StorageFabricException}s
 * naming the host, the command and what to check.
 */
public interface StorageFabric {

    /** The reservation type this fabric takes: Write Exclusive – All Registrants. */
    int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;

    /** The storage hosts, from the Nodes. */
    List<StorageHost> hosts();

    /** The multipath devices one host sees ({@code multipath -ll}). */
    HostLuns discover(String node);

    /** What every host sees, asked in parallel; a host that fails has its error, the others their LUNs. */
    List<HostLuns> discoverAll();

    /**
     * The device of {@code wwid} on every host.
     *
     * @throws LunNotResolvedException when a host does not have a usable device, with a diagnosis per host
     */
    ResolvedLun resolve(String wwid);

    /** Registered keys and the reservation, read from {@code node}. */
    Reservation readReservation(String wwid, String node);

    /** Registers {@code node}'s key through {@code node}'s paths. */
    Reservation register(String wwid, String node);

    /** Takes a Write Exclusive – All Registrants reservation; {@code node} must be registered. */
    Reservation reserve(String wwid, String node);

    /** Removes {@code victimKey}'s registration (and its reservation) with {@code node}'s key. */
    Reservation preempt(String wwid, String node, String victimKey);

    /** Releases the reservation; registrations stay. */
    Reservation release(String wwid, String node);

    /** Removes every registration and the reservation. */
    Reservation clear(String wwid, String node);

    /**
     * Makes {@code node} the only host allowed to write {@code wwid}: registers its key, reserves type 7, preempts
     * every other key, then reads back and fails unless exactly that holds. A no-op when it already holds.
     */
    Reservation lockWrite(String wwid, String node);

    /** {@code 0x} plus the 8 hex digits of the node's IPv4 InternalIP, e.g. {@code 0x0a000005}. */
    String reservationKey(String node);

    /** Scans the host's SCSI buses for new LUNs and reloads multipath maps; returns what it sees afterwards. */
    HostLuns rescan(String node);

    /** After the LUN grew on the array: rescans path sizes and resizes the multipath map on every host that has it. */
    List<HostResult<Lun>> resize(String wwid);

    /** PFS on the LUN ({@code pfs -C disk info}), read from {@code node}. */
    PfsInfo pfsInfo(String wwid, String node);

    /** Grows PFS to {@code chunks} 10 GiB chunks from {@code node} (the write-lock holder); a no-op when already that big. */
    PfsInfo growPfs(String wwid, String node, int chunks);

    /** A storage host: the Node, where SSH reaches it, and its reservation key (null without an IPv4 InternalIP). */
    record StorageHost(String node, String address, int port, String reservationKey) {}

    /** One multipath device. {@code device} is {@code /dev/mapper/<map name>}. */
    record Lun(String wwid, String device, long sizeBytes, String vendor, String product, List<LunPath> paths) {
        public Lun {
            paths = List.copyOf(paths);
        }

        /** At least one path can carry I/O. */
        public boolean usable() {
            return paths.stream().anyMatch(LunPath::usable);
        }
    }

    /** One SCSI path of a multipath device, e.g. {@code 2:0:0:1 sdb active ready running}. */
    record LunPath(String hctl, String device, String dmState, String checkerState, String onlineState) {
        public boolean usable() {
            return "active".equals(dmState) && ("ready".equals(checkerState) || "ghost".equals(checkerState));
        }
    }

    /** What one host sees; {@code error} is set (and {@code luns} empty) when the host could not be asked. */
    record HostLuns(String node, List<Lun> luns, String error) {
        public HostLuns {
            luns = List.copyOf(luns);
        }
    }

    /** One host's outcome of a fan-out: a value, or the error that host gave. */
    record HostResult<T>(String node, T value, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** How a LUN looks from every host. */
    record ResolvedLun(String wwid, Map<String, String> devices) {
        public ResolvedLun {
            devices = Map.copyOf(devices);
        }
    }

    /** Why a host does or does not have a usable device for a WWID. */
    enum LunState {
        READY("usable multipath device"),
        NOT_ZONED("no path to this LUN: it is not mapped (zoned/masked) to this host, or the host was not rescanned"),
        NO_MULTIPATH_DEVICE(
                "the host has paths to the LUN but no multipath device: multipathd is not running or the WWID is blacklisted"),
        ALL_PATHS_DOWN(
                "the multipath device exists but all its paths are failed: check cabling, switch ports and the array"),
        HOST_UNREACHABLE("the host could not be asked");

        private final String cause;

        LunState(String cause) {
            this.cause = cause;
        }

        public String cause() {
            return cause;
        }
    }

    /** One host's view of a WWID: its state, the device when there is one, and the WWIDs it does see. */
    record LunDiagnosis(String node, LunState state, String device, List<String> visibleWwids, String detail) {
        public LunDiagnosis {
            visibleWwids = List.copyOf(visibleWwids);
        }
    }

    /**
     * Registered keys and the reservation. With type 7 or 8 every registrant holds the reservation and
     * {@code holderKey} is {@code 0x0} as the devices report it.
     */
    record Reservation(String wwid, long generation, List<String> registeredKeys, String holderKey, Integer type) {
        public Reservation {
            registeredKeys = List.copyOf(registeredKeys);
        }

        /** Only {@code key} is registered and a type 7 reservation is held: only that host may write. */
        public boolean writeLockedTo(String key) {
            return type != null && type == WRITE_EXCLUSIVE_ALL_REGISTRANTS && registeredKeys.equals(List.of(key));
        }
    }

    /** PFS on a LUN: its size in 10 GiB chunks and free blocks. */
    record PfsInfo(String wwid, int chunks, long totalBlocks, long freeBlocks) {}
}
