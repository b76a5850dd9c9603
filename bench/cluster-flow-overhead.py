#!/usr/bin/env python3
"""Operator and engine overhead on cluster flows, against the real kube-apiserver of scripts/test-env.

Starts the orchestrator jar (operator on, one scratch namespace), creates N MPDClusters one after another and
measures, from the engine's history:
  - CR created -> flow started: from just before the create call to the process instance's start time;
  - per-step engine overhead: end of one step -> start of the next, over the steps CreateCluster runs before it
    waits for its first pod (which never gets Ready: test-env has no kubelet), each step's own work being real
    calls to the API server.
Baseline in the same run: one GET of an MPDCluster from this script (an API server round trip).
Prints median and p99 in milliseconds. Not a test: it asserts nothing.
Usage: bench/cluster-flow-overhead.py [N] [LOOK_THREADS]   (default 50 and the shipped look-threads; needs
       scripts/test-env up and target/orchestrator.jar). Run it with 1 and with 4 look threads for a before/after.
"""
import base64, json, os, secrets, shutil, ssl, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request
from datetime import datetime

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50
LOOK_THREADS = sys.argv[2] if len(sys.argv) > 2 else None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(l.strip().split('=', 1) for l in open(os.environ.get('POLARSTACK_TEST_ENV_FILE', '/tmp/polarstack-test-env/env')) if '=' in l)
KCFG = ENV['KUBECONFIG']
cfg = open(KCFG).read()
SERVER = cfg.split('server: "')[1].split('"')[0]
TOKEN = cfg.split('token: "')[1].split('"')[0]
CA = cfg.split('certificate-authority: "')[1].split('"')[0]
CTX = ssl.create_default_context(cafile=CA)
NS = 'bench-%d' % int(time.time())


def kube(method, path, body=None, content='application/json'):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(SERVER + path, data=data, method=method,
                                 headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': content})
    with urllib.request.urlopen(req, context=CTX, timeout=30) as r:
        return json.loads(r.read() or b'{}')


def rest(path, password, port):
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path),
                                 headers={'Authorization': 'Basic ' + base64.b64encode(('admin:' + password).encode()).decode()})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def ms(ts):  # Camunda REST time: 2026-11-22T03:31:19.600+0000
    return datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%f%z').timestamp() * 1000


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def yaml_docs(path):
    out = subprocess.run(['kubectl', '--kubeconfig', KCFG, 'create', '--dry-run=client', '-o', 'json', '-f', path],
                         check=True, capture_output=True, text=True).stdout
    docs, decoder, i = [], json.JSONDecoder(), 0
    while i < len(out):
        if out[i].isspace():
            i += 1
            continue
        doc, i = decoder.raw_decode(out, i)
        docs.extend(doc['items'] if doc.get('kind') == 'List' else [doc])
    return docs


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
    password = secrets.token_urlsafe(18)
    port = int(subprocess.run(['python3', '-c', 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'],
                              capture_output=True, text=True).stdout)
    ok = False
    app = subprocess.Popen(['java', '-jar', jar, '--server.port=%d' % port, '--orchestrator.data-dir=' + work,
                            '--orchestrator.kubernetes.kubeconfig=' + KCFG, '--orchestrator.operator.namespaces=' + NS,
                            '--orchestrator.operator.lease-namespace=' + NS, '--orchestrator.operator.catalog-namespace=' + NS,
                            '--logging.level.io.polarstack.orchestrator.operator.ClusterOperator=DEBUG']
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
        sample = yaml_docs(os.path.join(ROOT, 'deploy/samples/mpdcluster-local.yaml'))[0]
        created, baseline = {}, []
        for i in range(N):
            c = json.loads(json.dumps(sample))
            c['metadata'] = {'name': 'c%03d' % i, 'namespace': NS}
            c['spec']['followerNum'] = 0
            t0 = time.time() * 1000
            kube('POST', '/apis/mpd.polardb.aliyun.com/v1/namespaces/%s/mpdclusters' % NS, c)
            created[NS + '/c%03d' % i] = t0
            t1 = time.time() * 1000
            kube('GET', '/apis/mpd.polardb.aliyun.com/v1/namespaces/%s/mpdclusters/c%03d' % (NS, i))
            baseline.append(time.time() * 1000 - t1)
            time.sleep(0.3)  # one cluster at a time: the figures are per flow, not under a burst
        steps = ['Task_InitMeta', 'Task_PrepareStorage', 'Task_CreateRw', 'Task_CreateInstancePod', 'Task_CheckInstancePod']
        deadline = time.time() + 180
        starts, gaps, by_gap = [], [], {}
        pending, missing = set(created), {}
        while pending and time.time() < deadline:
            for key in sorted(pending):
                inst = rest('/engine-rest/history/process-instance?processInstanceBusinessKey=%s&processDefinitionKey=CreateCluster'
                            % urllib.parse.quote(key, safe=''), password, port)
                if not inst:
                    continue
                acts = rest('/engine-rest/history/activity-instance?processInstanceId=%s' % inst[0]['id'], password, port)
                for sub in rest('/engine-rest/history/process-instance?superProcessInstanceId=%s' % inst[0]['id'], password, port):
                    acts += rest('/engine-rest/history/activity-instance?processInstanceId=%s' % sub['id'], password, port)
                by = {}  # the first of each: Task_CheckInstancePod repeats every 2 s while the pod is not Ready
                for a in sorted(acts, key=lambda a: ms(a['startTime'])):
                    if a['activityId'] in steps and a['activityId'] not in by and (a.get('endTime') or a['activityId'] == 'Task_CreateRw'):
                        by[a['activityId']] = a
                if len(by) < len(steps):
                    missing[key] = sorted(set(steps) - set(by))
                    continue
                starts.append(ms(inst[0]['startTime']) - created[key])
                seq = [by[s] for s in steps]
                # Task_CreateRw is the call activity: its first inner step starts inside it.
                for label, gap in (('InitMeta>PrepareStorage', ms(seq[1]['startTime']) - ms(seq[0]['endTime'])),
                                   ('PrepareStorage>CreateRw', ms(seq[2]['startTime']) - ms(seq[1]['endTime'])),
                                   ('CreateRw>CreateInstancePod', ms(seq[3]['startTime']) - ms(seq[2]['startTime'])),
                                   ('CreateInstancePod>CheckInstancePod', ms(seq[4]['startTime']) - ms(seq[3]['endTime']))):
                    gaps.append(gap)
                    by_gap.setdefault(label, []).append(gap)
                pending.discard(key)
            time.sleep(0.5)
        if pending:
            sys.exit('%d flows did not reach Task_CheckInstancePod (missing %s); see %s/app.log'
                     % (len(pending), missing.get(min(pending)), work))
        phases = log_phases(os.path.join(work, 'app.log'), created)
        failures = rest('/engine-rest/history/job-log?failureLog=true', password, port)
        b = statistics.median(baseline)
        print('flows: %d (CreateCluster up to its first pod wait; real API server calls in every step), look threads: %s'
              % (N, LOOK_THREADS or 'shipped'))
        print('baseline, API server GET round trip: median %.1f ms, p99 %.1f ms' % (b, pct(baseline, 99)))
        print('CR created -> flow started:   median %.1f ms, p99 %.1f ms, median/baseline %.1f'
              % (statistics.median(starts), pct(starts, 99), statistics.median(starts) / b))
        print('step end -> next step start: median %.1f ms, p99 %.1f ms, median/baseline %.1f (%d gaps)'
              % (statistics.median(gaps), pct(gaps, 99), statistics.median(gaps) / b, len(gaps)))
        for label, values in by_gap.items():
            print('  %-36s median %.1f ms, max %.1f ms' % (label, statistics.median(values), max(values)))
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
