package io.polarstack.orchestrator.specs;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The instance pod: engine and manager containers (plus pfsd in share mode) on the host network, the
 * instance's {@code /data} and {@code /log}, and in share mode the LUN as a raw block device.
 */
public final class InstancePods {

    public static final String ENGINE = "engine";
    public static final String MANAGER = "manager";
    public static final String PFSD = "pfsd";
    /** Where the engine puts its unix socket, an emptyDir shared by the containers (POLARSTACK_SOCKET_DIR). */
    public static final String SOCKET_DIR = "/var/run/polarstack";

    private InstancePods() {}

    public static String podName(MPDCluster cluster, InstancePlan plan) {
        return cluster.getMetadata().getName() + "-" + plan.physicalInsId() + "-" + plan.insId();
    }

    /** A per-instance claim in local mode when {@code spec.localStore.storageClassName} is set; else null. */
    public static PersistentVolumeClaim dataClaim(MPDCluster cluster, InstancePlan plan) {
        var store = cluster.getSpec().getLocalStore();
        if (!isLocal(cluster)
                || store == null
                || store.getStorageClassName() == null
                || store.getStorageClassName().isBlank()) {
            return null;
        }
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(podName(cluster, plan) + "-data")
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(labels(cluster, plan))
                .withOwnerReferences(owner(cluster))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(store.getStorageClassName())
                .withNewResources()
                .addToRequests("storage", new Quantity(store.getSize() == null ? "10Gi" : store.getSize()))
                .endResources()
                .endSpec()
                .build();
    }

    /**
     * @param hostRoot host directory under which each instance keeps {@code <namespace>/<cluster>/<insId>/{data,log}}
     */
    public static Pod build(MPDCluster cluster, InstancePlan plan, ClassResources resources, String hostRoot) {
        boolean share = !isLocal(cluster);
        String wwid = share ? cluster.getSpec().getShareStore().getVolumeId() : null;
        String instanceDir = hostRoot + "/" + cluster.getMetadata().getNamespace() + "/"
                + cluster.getMetadata().getName() + "/" + plan.insId();
        var claim = dataClaim(cluster, plan);

        List<Volume> volumes = new ArrayList<>();
        volumes.add(
                claim != null
                        ? new VolumeBuilder()
                                .withName("data")
                                .withNewPersistentVolumeClaim(
                                        claim.getMetadata().getName(), false)
                                .build()
                        : hostDir("data", instanceDir + "/data"));
        volumes.add(hostDir("log", instanceDir + "/log"));
        // The unix socket lives outside /data: pg_rewind cannot copy a source whose socket is in its data directory.
        volumes.add(new VolumeBuilder()
                .withName("run")
                .withNewEmptyDir()
                .endEmptyDir()
                .build());
        if (share) {
            volumes.add(new VolumeBuilder()
                    .withName("shared-disk")
                    .withNewPersistentVolumeClaim(
                            cluster.getSpec().getShareStore().getSharePvcName(), false)
                    .build());
        }

        List<EnvVar> env = List.of(
                env("POLARSTACK_INS_ID", plan.insId()),
                env("POLARSTACK_SLOT_ID", plan.physicalInsId()),
                env("POLARSTACK_ROLE", plan.role()),
                env("POLARSTACK_PORT", Integer.toString(plan.port())),
                env("POLARSTACK_SOCKET_DIR", SOCKET_DIR),
                new EnvVarBuilder()
                        .withName("POLARSTACK_HOST_IP")
                        .withNewValueFrom()
                        .withNewFieldRef()
                        .withFieldPath("status.podIP")
                        .endFieldRef()
                        .endValueFrom()
                        .build());

        List<Container> containers = new ArrayList<>();
        containers.add(container(ENGINE, plan.engineImage(), env, wwid)
                .addNewPort()
                .withName("engine")
                .withContainerPort(plan.port())
                .withProtocol("TCP")
                .endPort()
                .withResources(resources.engineRequirements())
                .build());
        containers.add(container(MANAGER, plan.managerImage(), env, wwid)
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                .build());
        if (share) {
            containers.add(container(PFSD, plan.pfsdImage(), env, wwid)
                    .withNewSecurityContext()
                    .withPrivileged(true)
                    .endSecurityContext()
                    .build());
        }

        return new PodBuilder()
                .withNewMetadata()
                .withName(podName(cluster, plan))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(labels(cluster, plan))
                .withOwnerReferences(owner(cluster))
                .endMetadata()
                .withNewSpec()
                .withHostNetwork(true)
                .withDnsPolicy("ClusterFirstWithHostNet")
                .withShareProcessNamespace(true)
                .withTerminationGracePeriodSeconds(60L)
                .withAffinity(affinity(cluster, plan))
                .withTolerations(tolerations())
                .withContainers(containers)
                .withVolumes(volumes)
                .endSpec()
                .build();
    }

    public static Map<String, String> labels(MPDCluster cluster, InstancePlan plan) {
        return Map.of(
                Labels.APP,
                Labels.APP_VALUE,
                Labels.CLUSTER,
                cluster.getMetadata().getName(),
                Labels.INSTANCE,
                plan.insId(),
                Labels.SLOT,
                plan.physicalInsId(),
                Labels.ROLE,
                plan.role());
    }

    public static OwnerReference owner(MPDCluster cluster) {
        return new OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withUid(cluster.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    static boolean isLocal(MPDCluster cluster) {
        return "local".equals(cluster.getSpec().getDbClusterType());
    }

    private static ContainerBuilder container(String name, String image, List<EnvVar> env, String wwid) {
        var builder = new ContainerBuilder()
                .withName(name)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withEnv(env)
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/data")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("log")
                .withMountPath("/log")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("run")
                .withMountPath(SOCKET_DIR)
                .endVolumeMount();
        if (wwid != null) {
            builder.addNewVolumeDevice()
                    .withName("shared-disk")
                    .withDevicePath("/dev/mapper/" + wwid)
                    .endVolumeDevice();
        }
        return builder;
    }

    private static Volume hostDir(String name, String path) {
        return new VolumeBuilder()
                .withName(name)
                .withNewHostPath(path, "DirectoryOrCreate")
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    /** Never on an unavailable or maintenance node, never beside another instance of the same cluster. */
    private static Affinity affinity(MPDCluster cluster, InstancePlan plan) {
        var term = new io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder()
                .addToMatchExpressions(new NodeSelectorRequirementBuilder()
                        .withKey(Labels.MAINTAIN_NODE)
                        .withOperator("DoesNotExist")
                        .build());
        if (!plan.unavailableNodes().isEmpty()) {
            term.addToMatchExpressions(new NodeSelectorRequirementBuilder()
                    .withKey("kubernetes.io/hostname")
                    .withOperator("NotIn")
                    .withValues(plan.unavailableNodes().stream().sorted().toList())
                    .build());
        }
        if (plan.targetNode() != null) {
            term.addToMatchExpressions(new NodeSelectorRequirementBuilder()
                    .withKey("kubernetes.io/hostname")
                    .withOperator("In")
                    .withValues(plan.targetNode())
                    .build());
        }
        return new AffinityBuilder()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNodeSelectorTerms(term.build())
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector()
                .addToMatchLabels(Labels.CLUSTER, cluster.getMetadata().getName())
                .endLabelSelector()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .build();
    }

    private static List<Toleration> tolerations() {
        return List.of(
                        "node.kubernetes.io/not-ready",
                        "node.kubernetes.io/unreachable",
                        "node.kubernetes.io/disk-pressure",
                        "node.kubernetes.io/memory-pressure",
                        "node.kubernetes.io/unschedulable")
                .stream()
                .map(key -> new TolerationBuilder()
                        .withKey(key)
                        .withOperator("Exists")
                        .withEffect("NoExecute")
                        .build())
                .toList();
    }
}
