#!/usr/bin/env python3
"""Operator and engine overhead on cluster flows, against the real kube-apiserver of scripts/test-env.

Starts the orchestrator jar (operator on, one scratch namespace) and measures, one flow at a time:
  - CR created -> flow started: from just before the create call to the process instance's start time;
  - step end -> next step start, over the steps CreateCluster runs before it waits for its first pod (which never
    gets Ready: test-env has no kubelet), each step's own work being real calls to the API server. Times and threads
    come from the engine's step lines (StepLogPlugin at DEBUG: microseconds and the thread; history keeps
    milliseconds). A pair is "same thread" when the next step ran on the thread that ended the step before, the
    engine's continuation of an exclusive job; the first step of a called flow (another process instance) never is.
Baselines measured in the same run:
  - one GET of an MPDCluster from this script (an API server round trip);
  - a bare-engine model: NOOP_STEPS no-op asyncBefore service tasks deployed over /engine-rest into the same jar
    (so the same engine, plugins, database and job executor settings), one instance at a time: a block before the
    clusters, and one instance after each cluster (the same machine load as the cluster flows);
  - the same model on plain Camunda (bench/PlainCamundaSteps.java: no Spring, none of our plugins; the jar's own
    libraries, application.yml's job executor settings, H2 file database, full history), before the orchestrator starts.
Warm-up first, not counted (a fresh JVM runs interpreted code): WARM no-op instances and WARM_CLUSTERS clusters.
Each flow is suspended once it reached its pod wait, so its 2 s poll does not load the flows measured after it.
Prints median and p99 in milliseconds, and the load average. Not a test: it asserts nothing.
Usage: bench/cluster-flow-overhead.py [N] [LOOK_THREADS]   (default 30 and the shipped look-threads; needs
       scripts/test-env up and target/orchestrator.jar).
"""
import json, os, re, secrets, shutil, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request
from datetime import datetime
from benchlib import KCFG, ROOT, kube, ms, pct, rest, yaml_docs

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30
LOOK_THREADS = sys.argv[2] if len(sys.argv) > 2 else None
NOOP_STEPS, WARM, WARM_CLUSTERS = 6, 40, 3
NS = 'bench-%d' % int(time.time())
# "DEBUG [<business key> <step>] ... step start Task_X of <instance> at <µs> on <thread>" (the log's MDC, then the line)
STEP_LINE = re.compile(r' \[(\S+) \S+\] .*step (start|end) (\S+) of (\S+) at (\d+) on (\S+)')
# The pairs timed in each cluster flow: (event, step) -> (event, step); the call activity has no end before its flow's.
CLUSTER_PAIRS = [(('end', 'Task_InitMeta'), ('start', 'Task_PrepareStorage')),
                 (('end', 'Task_PrepareStorage'), ('start', 'Task_CreateRw')),
                 (('start', 'Task_CreateRw'), ('start', 'Task_CreateInstancePod')),
                 (('end', 'Task_CreateInstancePod'), ('start', 'Task_CheckInstancePod'))]
NOOP_PAIRS = [(('end', 'Task_Noop%d' % i), ('start', 'Task_Noop%d' % (i + 1))) for i in range(1, NOOP_STEPS)]


def noop_model():
    """The bare-engine baseline: no-op service tasks, asyncBefore and exclusive like every step of ours."""
    ids = ['StartEvent_Noop'] + ['Task_Noop%d' % i for i in range(1, NOOP_STEPS + 1)] + ['EndEvent_Noop']
    tasks = ''.join('<bpmn:serviceTask id="%s" camunda:asyncBefore="true" camunda:expression="${true}"/>' % t for t in ids[1:-1])
    flows = ''.join('<bpmn:sequenceFlow id="Flow_Noop%d" sourceRef="%s" targetRef="%s"/>' % (i, a, b)
                    for i, (a, b) in enumerate(zip(ids, ids[1:])))
    return ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_BenchNoop" targetNamespace="bench">'
            '<bpmn:process id="BenchNoopSteps" isExecutable="true" camunda:historyTimeToLive="P1D">'
            '<bpmn:startEvent id="StartEvent_Noop"/>%s<bpmn:endEvent id="EndEvent_Noop"/>%s</bpmn:process></bpmn:definitions>'
            % (tasks, flows)).encode()


def deploy_noop(password, port):
    boundary = 'bench' + secrets.token_hex(8)
    body = ('--%s\r\nContent-Disposition: form-data; name="deployment-name"\r\n\r\nbench-noop\r\n'
            '--%s\r\nContent-Disposition: form-data; name="data"; filename="bench-noop.bpmn"\r\n'
            'Content-Type: application/xml\r\n\r\n' % (boundary, boundary)).encode() + noop_model() + (
            '\r\n--%s--\r\n' % boundary).encode()
    rest('/engine-rest/deployment/create', password, port, 'POST', body, 'multipart/form-data; boundary=' + boundary)


class StepLog:
    """The engine's step lines in the app log, read as they come: the first (key, event, step) -> (ms, thread, instance)."""

    def __init__(self, path):
        self.file, self.partial, self.seen = open(path, errors='replace'), '', {}

    def wait_for(self, key, event, step, deadline):
        while (key, event, step) not in self.seen and time.time() < deadline:
            time.sleep(0.02)
            self.partial += self.file.read()
            lines = self.partial.split('\n')
            self.partial = lines.pop()
            for line in lines:
                m = STEP_LINE.search(line)
                if m:  # the first of each: Task_CheckInstancePod repeats every 2 s while the pod is not Ready
                    self.seen.setdefault((m.group(1), m.group(2), m.group(3)),
                                         (int(m.group(5)) / 1000.0, m.group(6), m.group(4)))
        return self.seen.get((key, event, step))

    def pairs(self, key, pairs):
        """[(pair label, ms, same thread)] of one flow, for the pairs whose both lines are there."""
        out = []
        for a, b in pairs:
            x, y = self.seen.get((key,) + a), self.seen.get((key,) + b)
            if x and y:
                out.append(('%s>%s' % (a[1][5:], b[1][5:]), y[0] - x[0], x[1] == y[1]))
        return out


def log_phases(path, created):
    """Per cluster, the first 'change seen', 'looked at', 'finalizer added' and 'started' lines of the operator."""
    marks = {}
    for line in open(path, errors='replace'):
        for mark in ('change seen', 'looked at', 'finalizer added', 'started CreateCluster'):
            if mark in line and 'MPDCluster ' in line:
                key = line.split('MPDCluster ', 1)[1].split(':', 1)[0]
                t = datetime.strptime(line[:23], '%Y-%m-%dT%H:%M:%S.%f').timestamp() * 1000 - time.timezone * 1000
                marks.setdefault(key, {}).setdefault(mark, t)
    phases = {'created -> change seen (watch)': [], 'change seen -> looked at (queue)': [],
              'looked at -> finalizer added': [], 'finalizer added -> flow started': []}
    for key, t0 in created.items():
        m = marks.get(key, {})
        points = [t0, m.get('change seen'), m.get('looked at'), m.get('finalizer added'), m.get('started CreateCluster')]
        for label, a, b in zip(phases, points, points[1:]):
            if a is not None and b is not None:
                phases[label].append(b - a)
    return phases


def summary(label, values):
    return '%-44s median %6.2f ms, p99 %7.2f ms (%d)' % (label, statistics.median(values), pct(values, 99), len(values))


def load():
    return 'load average %s' % ' '.join(open('/proc/loadavg').read().split()[:3])


def main():
    jar = os.path.join(ROOT, 'target', 'orchestrator.jar')
    if not os.path.exists(jar):
        sys.exit('build the jar first: mvn -B package -DskipTests')
    subprocess.run(['kubectl', '--kubeconfig', KCFG, 'apply', '-f', os.path.join(ROOT, 'deploy/040-Crd-mpdcluster.yaml')],
                   check=True, capture_output=True)
    kube('POST', '/api/v1/namespaces', {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': NS}})
    for f in ('catalog-version-image-open.yaml', 'catalog-class-polar.o.x4.medium.yaml'):
        for cm in yaml_docs(os.path.join(ROOT, 'deploy/samples', f)):
            cm['metadata']['namespace'] = NS
            kube('POST', '/api/v1/namespaces/%s/configmaps' % NS, cm)
    work = tempfile.mkdtemp(prefix='polarstack-bench-')
    subprocess.run(['unzip', '-q', jar, 'BOOT-INF/lib/*', '-d', work], check=True)
    plain = json.loads(subprocess.run(['java', '-cp', os.path.join(work, 'BOOT-INF/lib/*'), os.path.join(ROOT, 'bench/PlainCamundaSteps.java'),
                                       os.path.join(work, 'plain'), str(NOOP_STEPS), str(WARM), str(N)],
                                      check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    load_plain = load()
    password = secrets.token_urlsafe(18)
    port = int(subprocess.run(['python3', '-c', 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'],
                              capture_output=True, text=True).stdout)
    ok = False
    app = subprocess.Popen(['java', '-jar', jar, '--server.port=%d' % port, '--orchestrator.data-dir=' + work,
                            '--orchestrator.kubernetes.kubeconfig=' + KCFG, '--orchestrator.operator.namespaces=' + NS,
                            '--orchestrator.operator.lease-namespace=' + NS, '--orchestrator.operator.catalog-namespace=' + NS,
                            '--logging.level.io.polarstack.orchestrator.operator.ClusterOperator=DEBUG',
                            '--logging.level.io.polarstack.orchestrator.engine.StepLogPlugin=DEBUG']
                           + (['--orchestrator.operator.look-threads=' + LOOK_THREADS] if LOOK_THREADS else []),
                           env=dict(os.environ, ORCHESTRATOR_ADMIN_PASSWORD=password),
                           stdout=open(os.path.join(work, 'app.log'), 'w'), stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen('http://127.0.0.1:%d/actuator/health' % port, timeout=2)
                break
            except Exception:
                if time.time() > deadline or app.poll() is not None:
                    sys.exit('orchestrator did not start; see ' + work + '/app.log')
                time.sleep(0.2)
        time.sleep(3)  # the Lease: the first replica takes it within one retry period
        deploy_noop(password, port)
        log = StepLog(os.path.join(work, 'app.log'))

        def noop(key):
            rest('/engine-rest/process-definition/key/BenchNoopSteps/start', password, port, 'POST', {'businessKey': key})
            if not log.wait_for(key, 'end', 'Task_Noop%d' % NOOP_STEPS, time.time() + 60):
                sys.exit('no-op flow %s did not end; see %s/app.log' % (key, work))
            return log.pairs(key, NOOP_PAIRS)

        sample = yaml_docs(os.path.join(ROOT, 'deploy/samples/mpdcluster-local.yaml'))[0]

        def cluster(name):
            c = json.loads(json.dumps(sample))
            c['metadata'] = {'name': name, 'namespace': NS}
            c['spec']['followerNum'] = 0
            key = NS + '/' + name
            t0 = time.time() * 1000
            kube('POST', '/apis/mpd.polardb.aliyun.com/v1/namespaces/%s/mpdclusters' % NS, c)
            t1 = time.time() * 1000
            kube('GET', '/apis/mpd.polardb.aliyun.com/v1/namespaces/%s/mpdclusters/%s' % (NS, name))
            get = time.time() * 1000 - t1
            waiting = log.wait_for(key, 'end', 'Task_CheckInstancePod', time.time() + 120)
            if not waiting:
                sys.exit('%s did not reach Task_CheckInstancePod; see %s/app.log' % (key, work))
            time.sleep(0.2)  # its commit: a suspension under a running job fails that job (optimistic locking)
            rest('/engine-rest/process-instance/%s/suspended' % waiting[2], password, port, 'PUT', {'suspended': True})
            return key, t0, get, log.pairs(key, CLUSTER_PAIRS)

        for i in range(WARM):
            noop('warm-noop-%d' % i)
        for i in range(WARM_CLUSTERS):
            cluster('warm%d' % i)
        idle = [p for i in range(N) for p in noop('noop-idle-%d' % i)]
        load_before = load()
        created, baseline, flow_pairs, noop_beside = {}, [], [], []
        for i in range(N):
            key, t0, get, pairs = cluster('c%03d' % i)
            created[key] = t0
            baseline.append(get)
            flow_pairs += pairs
            noop_beside += noop('noop-beside-%d' % i)
        load_after = load()

        starts = []
        for key, t0 in created.items():
            inst = rest('/engine-rest/history/process-instance?processInstanceBusinessKey=%s&processDefinitionKey=CreateCluster'
                        % urllib.parse.quote(key, safe=''), password, port)
            starts.append(ms(inst[0]['startTime']) - t0)
        phases = log_phases(os.path.join(work, 'app.log'), created)
        failures = rest('/engine-rest/history/job-log?failureLog=true', password, port)
        b = statistics.median(baseline)
        print('flows: %d CreateCluster, one at a time, up to their first pod wait (real API server calls in every step);'
              ' look threads: %s; %s at the first cluster, %s at the last'
              % (N, LOOK_THREADS or 'shipped', load_before, load_after))
        print('baseline, API server GET round trip:        median %.1f ms, p99 %.1f ms' % (b, pct(baseline, 99)))
        print('CR created -> flow started:                  median %.1f ms, p99 %.1f ms, median/baseline %.1f'
              % (statistics.median(starts), pct(starts, 99), statistics.median(starts) / b))
        print('step end -> next step start (ms):')
        same = [g for _, g, t in flow_pairs if t]
        print('  ' + summary('cluster flows, same thread', same))
        print('  ' + summary('baseline: bare engine, beside the clusters', [g for _, g, _ in noop_beside]))
        print('  ' + summary('baseline: bare engine, before the clusters', [g for _, g, _ in idle]))
        print('  ' + summary('baseline: plain Camunda, before the orchestrator', [g for g, _ in plain]) + ', ' + load_plain)
        print('  ' + summary('cluster flows, all pairs', [g for _, g, _ in flow_pairs]))
        print('  same thread: cluster flows %d of %d pairs, bare engine %d of %d, plain Camunda %d of %d'
              % (len(same), len(flow_pairs), sum(t for _, _, t in idle + noop_beside), len(idle + noop_beside),
                 sum(t for _, t in plain), len(plain)))
        by_pair = {}
        for label, gap, same_thread in flow_pairs:
            by_pair.setdefault((label, same_thread), []).append(gap)
        for (label, same_thread), values in by_pair.items():
            print('    ' + summary('%s (%s)' % (label, 'same thread' if same_thread else 'other thread'), values))
        print('CR created -> flow started, by phase (from the operator\'s log lines, ms):')
        for label, values in phases.items():
            if values:
                print('  %-36s median %.1f ms, p99 %.1f ms' % (label, statistics.median(values), pct(values, 99)))
        print('failed step attempts (each waits its retry interval): %d %s'
              % (len(failures), sorted({f['activityId'] + ': ' + (f.get('jobExceptionMessage') or '')[:120] for f in failures})))
        ok = True
    finally:
        app.terminate()
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
        try:  # let the namespace go: clusters first lose their finalizer
            for c in kube('GET', '/apis/mpd.polardb.aliyun.com/v1/namespaces/%s/mpdclusters' % NS)['items']:
                kube('PATCH', '/apis/mpd.polardb.aliyun.com/v1/namespaces/%s/mpdclusters/%s' % (NS, c['metadata']['name']),
                     {'metadata': {'finalizers': None}}, 'application/merge-patch+json')
            # test-env runs no garbage collector: delete what the flows made, or Service IPs run out over runs
            for kind in ('services', 'pods', 'secrets', 'configmaps'):
                kube('DELETE', '/api/v1/namespaces/%s/%s' % (NS, kind)) if kind != 'services' else [
                    kube('DELETE', '/api/v1/namespaces/%s/services/%s' % (NS, svc['metadata']['name']))
                    for svc in kube('GET', '/api/v1/namespaces/%s/services' % NS)['items']]
            kube('DELETE', '/api/v1/namespaces/' + NS)
        finally:
            if ok:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
