"""What the Python benches share: test-env's API server, the orchestrator's REST API, percentiles (stdlib only)."""
import base64, json, os, socket, ssl, subprocess, urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(l.strip().split('=', 1) for l in open(os.environ.get('POLARSTACK_TEST_ENV_FILE', '/tmp/polarstack-test-env/env'))
           if '=' in l)
KCFG = ENV['KUBECONFIG']
_cfg = open(KCFG).read()
SERVER = _cfg.split('server: "')[1].split('"')[0]
TOKEN = _cfg.split('token: "')[1].split('"')[0]
CTX = ssl.create_default_context(cafile=_cfg.split('certificate-authority: "')[1].split('"')[0])


def kube(method, path, body=None, content='application/json'):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(SERVER + path, data=data, method=method,
                                 headers={'Authorization': 'Bearer ' + TOKEN, 'Content-Type': content})
    with urllib.request.urlopen(req, context=CTX, timeout=30) as r:
        return json.loads(r.read() or b'{}')


def rest(path, password, port, method='GET', body=None, content='application/json'):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path), data=data, method=method,
                                 headers={'Authorization': 'Basic ' + base64.b64encode(('admin:' + password).encode()).decode(),
                                          'Content-Type': content})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b'{}')


def ms(ts):  # Camunda REST time: 2026-11-22T03:31:19.600+0000
    return datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%f%z').timestamp() * 1000


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


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
