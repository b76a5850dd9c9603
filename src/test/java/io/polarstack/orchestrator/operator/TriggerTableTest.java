package io.polarstack.orchestrator.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.polarstack.orchestrator.api.ClassInfo;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.api.VersionConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TriggerTableTest {

    /** A running cluster: RW 1002 on node-a, RO 1004 on node-b, followerNum 1, nothing asked. */
    static MPDCluster running(Consumer<MPDCluster> change) {
        var cluster = new MPDCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withNamespace("db")
                .withName("pg")
                .withAnnotations(new HashMap<>())
                .build());
        var spec = new MPDClusterSpec();
        spec.setDbClusterType("local");
        spec.setFollowerNum(1);
        spec.setClassInfo(classInfo("polar.o.x4.medium"));
        spec.setVersionCfg(version("v1"));
        cluster.setSpec(spec);
        var status = new MPDClusterStatus();
        status.setClusterStatus("Running");
        status.setLeaderInstanceId("1002");
        status.setDbInstanceStatus(new HashMap<>(
                Map.of("1002", instance("rw", "node-a", "RUNNING"), "1004", instance("ro", "node-b", "RUNNING"))));
        cluster.setStatus(status);
        change.accept(cluster);
        return cluster;
    }

    static InstanceStatus instance(String type, String node, String state) {
        var instance = new InstanceStatus();
        instance.setInsType(type);
        instance.setNodeName(node);
        var current = new InstanceState();
        current.setState(state);
        instance.setCurrentState(current);
        return instance;
    }

    static ClassInfo classInfo(String name) {
        var info = new ClassInfo();
        info.setClassName(name);
        return info;
    }

    static VersionConfig version(String name) {
        var version = new VersionConfig();
        version.setVersionName(name);
        return version;
    }

    static Trigger trigger(Consumer<MPDCluster> change) {
        return TriggerTable.evaluate(running(change)).orElseThrow(() -> new AssertionError("no trigger"));
    }

    static void local(MPDCluster cluster, String recorded, String size) {
        cluster.getSpec().setDbClusterType("local");
        var store = new io.polarstack.orchestrator.api.LocalStore();
        store.setSize(size);
        cluster.getSpec().setLocalStore(store);
        cluster.getStatus().setStorageQuota(recorded);
    }

    static void annotate(MPDCluster cluster, String key, String value) {
        cluster.getMetadata().getAnnotations().put(key, value);
    }

    /** PolarDB Stack's "" for every optional field it does not set: nothing is asked, the defaults hold. */
    @Test
    void emptyStringsAreUnset() {
        var cluster = running(c -> {
            var spec = c.getSpec();
            spec.setOperatorName("");
            spec.setDataDurability("");
            spec.setClassInfoModifyTo(classInfo(""));
            spec.setVersionCfgModifyTo(version(""));
            var local = new io.polarstack.orchestrator.api.LocalStore();
            local.setStorageClassName("");
            local.setSize("");
            spec.setLocalStore(local);
        });

        assertThat(TriggerTable.evaluate(cluster)).isEmpty();
        assertThat(io.polarstack.orchestrator.api.DataDurability.of(cluster))
                .isEqualTo(io.polarstack.orchestrator.api.DataDurability.REQUIRED);
        assertThat(io.polarstack.orchestrator.specs.StorageQuota.bytes(cluster)).isEqualTo(10L << 30);
    }

    @Test
    void heldByAFlowOnlyInTheFlowsOwnStateWithItsProcessInstance() {
        java.util.function.BiFunction<String, String, MPDCluster> shown = (state, processInstance) -> running(c -> {
            c.getStatus().setClusterStatus(state);
            if (processInstance != null) {
                var flow = new io.polarstack.orchestrator.api.FlowStatus();
                flow.setName("MigrateInstance");
                flow.setProcessInstanceId(processInstance);
                c.getStatus().setFlow(flow);
            }
        });
        assertThat(TriggerTable.heldByFlow(shown.apply("MigrateRo", "p1"))).isTrue();
        assertThat(TriggerTable.heldByFlow(shown.apply("SwitchRw", "p1"))).isTrue();
        assertThat(TriggerTable.heldByFlow(shown.apply("MigrateRo", null))).isFalse();
        for (String state : new String[] {"Running", "Interrupt", "Creating", "Init", "Rebuild", "Deleting", ""}) {
            assertThat(TriggerTable.heldByFlow(shown.apply(state, "p1")))
                    .as(state)
                    .isFalse();
        }
    }

    @Test
    void quietRunningClusterTriggersNothing() {
        assertThat(TriggerTable.evaluate(running(c -> {}))).isEmpty();
    }

    @Test
    void row0CreateForEmptyInitOrCreating() {
        for (String state : new String[] {null, "", "Init", "Creating"}) {
            var t = trigger(c -> c.getStatus().setClusterStatus(state));
            assertThat(t.row()).isZero();
            assertThat(t.processKey()).isEqualTo("CreateCluster");
            assertThat(t.state()).isEqualTo("Creating");
        }
        var noStatus = running(c -> c.setStatus(null));
        assertThat(TriggerTable.evaluate(noStatus))
                .get()
                .extracting(Trigger::processKey)
                .isEqualTo("CreateCluster");
    }

    @Test
    void row1RebuildByStateAnnotationOrAllInstancesFailedAndFromInterruptToo() {
        assertThat(trigger(c -> c.getStatus().setClusterStatus("Rebuild")).processKey())
                .isEqualTo("RebuildCluster");
        var forced = trigger(c -> annotate(c, "forceRebuild", "T"));
        assertThat(forced.row()).isEqualTo(1);
        assertThat(forced.recoverFromFirstStep()).isTrue();
        assertThat(trigger(c -> c.getStatus()
                                .getDbInstanceStatus()
                                .values()
                                .forEach(i -> i.getCurrentState().setState("Failed")))
                        .processKey())
                .isEqualTo("RebuildCluster");
        assertThat(trigger(c -> {
                            c.getStatus().setClusterStatus("Interrupt");
                            annotate(c, "forceRebuild", "1");
                        })
                        .processKey())
                .isEqualTo("RebuildCluster");
    }

    @Test
    void interruptIgnoresEverythingButRebuild() {
        assertThat(TriggerTable.evaluate(running(c -> {
                    c.getStatus().setClusterStatus("Interrupt");
                    annotate(c, "restartCluster", "true");
                    c.getSpec().setFollowerNum(5);
                })))
                .isEmpty();
    }

    @Test
    void row2ModifyClassOnlyWhenItDiffers() {
        var t = trigger(c -> c.getSpec().setClassInfoModifyTo(classInfo("polar.o.x8.large")));
        assertThat(t.row()).isEqualTo(2);
        assertThat(t.variables()).containsEntry("className", "polar.o.x8.large");
        assertThat(TriggerTable.evaluate(
                        running(c -> c.getSpec().setClassInfoModifyTo(classInfo("polar.o.x4.medium")))))
                .isEmpty();
    }

    @Test
    void rows3to6CommandAnnotations() {
        assertThat(trigger(c -> annotate(c, "restartCluster", "true")).processKey())
                .isEqualTo("RestartCluster");
        var restartIns = trigger(c -> annotate(c, "restartIns", "1004"));
        assertThat(restartIns.processKey()).isEqualTo("RestartInstance");
        assertThat(restartIns.variables()).containsEntry("insId", "1004");
        assertThat(trigger(c -> annotate(c, "flushParams", "t")).processKey()).isEqualTo("FlushParams");
        var switchRw = trigger(c -> annotate(c, "switchRw", "1004"));
        assertThat(switchRw.row()).isEqualTo(6);
        assertThat(switchRw.processKey()).isEqualTo("Failover");
        assertThat(switchRw.variables()).containsEntry("planned", true);
        assertThat(TriggerTable.evaluate(running(c -> annotate(c, "switchRw", "1002"))))
                .as("already leader")
                .isEmpty();
        assertThat(TriggerTable.evaluate(running(c -> annotate(c, "flushParams", "false"))))
                .isEmpty();
    }

    @Test
    void rows7and8MigrateRoOrRwOnlyToAnotherNode() {
        var ro = trigger(c -> annotate(c, "migrate", "1004|node-c"));
        assertThat(ro.row()).isEqualTo(7);
        assertThat(ro.variables()).containsEntry("insId", "1004").containsEntry("targetNode", "node-c");
        assertThat(trigger(c -> annotate(c, "migrate", "1002|node-c")).row()).isEqualTo(8);
        assertThat(TriggerTable.evaluate(running(c -> annotate(c, "migrate", "1004|node-b"))))
                .as("same node")
                .isEmpty();
        assertThat(TriggerTable.evaluate(running(c -> annotate(c, "migrate", "9999|node-c"))))
                .as("unknown")
                .isEmpty();
        assertThat(TriggerTable.evaluate(running(c -> annotate(c, "migrate", "1004"))))
                .as("malformed")
                .isEmpty();
    }

    @Test
    void row9UpgradeMinorVersion() {
        var t = trigger(c -> c.getSpec().setVersionCfgModifyTo(version("v2")));
        assertThat(t.row()).isEqualTo(9);
        assertThat(t.variables()).containsEntry("versionName", "v2");
    }

    @Test
    void row10RebuildAFailedRoWhileTheLeaderIsHealthy() {
        var t = trigger(c -> c.getStatus()
                .getDbInstanceStatus()
                .get("1004")
                .getCurrentState()
                .setState("FAILED"));
        assertThat(t.row()).isEqualTo(10);
        assertThat(t.variables()).containsEntry("insId", "1004");
    }

    @Test
    void rows11to13ScaleOutRemoveAndExtend() {
        assertThat(trigger(c -> c.getSpec().setFollowerNum(2)).processKey()).isEqualTo("AddRo");
        var remove = trigger(c -> annotate(c, "removeIns", "1004"));
        assertThat(remove.processKey()).isEqualTo("RemoveRo");
        assertThat(remove.variables()).containsEntry("insId", "1004");
        assertThat(trigger(c -> annotate(c, "extendStorage", "true")).processKey())
                .isEqualTo("ExtendStorage");
    }

    @Test
    void row13AlsoServesALargerQuotaInTheSpecThanTheRecordedOne() {
        var grown = trigger(c -> local(c, "10Gi", "20Gi"));
        assertThat(grown.row()).isEqualTo(13);
        assertThat(grown.processKey()).isEqualTo("ExtendStorage");
        assertThat(TriggerTable.evaluate(running(c -> local(c, "20Gi", "10Gi"))))
                .as("a smaller size is refused only when asked for by annotation")
                .isEmpty();
        assertThat(TriggerTable.evaluate(running(c -> local(c, null, "20Gi"))))
                .as("nothing recorded yet")
                .isEmpty();
    }

    @Test
    void theFirstMatchingRowWins() {
        var t = trigger(c -> {
            annotate(c, "extendStorage", "true");
            annotate(c, "restartCluster", "true");
            c.getSpec().setFollowerNum(3);
            c.getSpec().setClassInfoModifyTo(classInfo("polar.o.x8.large"));
        });
        assertThat(t.row()).isEqualTo(2);
    }

    static void expiredCondition(MPDCluster cluster) {
        io.polarstack.orchestrator.api.Conditions.set(cluster.getStatus(), "Expired", true, "Expired", "expired");
    }

    @Test
    void rows14and15TheExpiryLockComesFirstAndHoldsEverythingElseBack() {
        var lock = trigger(c -> {
            annotate(c, "expired", "true");
            annotate(c, "restartCluster", "true");
        });
        assertThat(lock.row()).isEqualTo(14);
        assertThat(lock.processKey()).isEqualTo("ExpiryLock");
        assertThat(TriggerTable.evaluate(running(c -> {
                    annotate(c, "expired", "true");
                    annotate(c, "restartCluster", "true");
                    expiredCondition(c);
                })))
                .as("locked: nothing else runs")
                .isEmpty();
        for (String value : new String[] {"false", null}) {
            var unlock = trigger(c -> {
                if (value != null) {
                    annotate(c, "expired", value);
                }
                annotate(c, "restartCluster", "true");
                expiredCondition(c);
            });
            assertThat(unlock.row()).isEqualTo(15);
            assertThat(unlock.processKey()).isEqualTo("ExpiryUnlock");
        }
        assertThat(TriggerTable.evaluate(running(c -> annotate(c, "expired", "false"))))
                .as("not expired, nothing to lift")
                .isEmpty();
    }

    @Test
    void rows16and17DiskFullLockAndUnlockByRequest() {
        var lock = trigger(c -> annotate(c, "diskFullLock", "true"));
        assertThat(lock.row()).isEqualTo(16);
        assertThat(lock.processKey()).isEqualTo("LockInstance");
        assertThat(lock.variables()).containsEntry("lockReason", "LockedByRequest");
        var unlock = trigger(c -> annotate(c, "diskFullLock", "false"));
        assertThat(unlock.row()).isEqualTo(17);
        assertThat(unlock.processKey()).isEqualTo("UnlockInstance");
    }
}
