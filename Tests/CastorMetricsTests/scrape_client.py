"""An independent scraper for the metrics endpoint: Python's http.client and the reference
Prometheus parser (prometheus_client's text_string_to_metric_families).

usage: scrape_client.py PORT
Prints one JSON object: what each request got and what the parser made of /metrics.
Exits 2 if prometheus_client is missing (deploy/install-deps.sh installs it)."""
import http.client
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print(json.dumps({"error": "prometheus_client is not installed (pip install prometheus_client)"}))
    sys.exit(2)

port = int(sys.argv[1])


def request(method, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read().decode("utf-8")
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return {"status": response.status, "headers": headers, "body": body}


out = {}
metrics = request("GET", "/metrics")
out["metrics"] = {"status": metrics["status"], "content_type": metrics["headers"].get("content-type"),
                  "connection": metrics["headers"].get("connection"),
                  "content_length": metrics["headers"].get("content-length"), "length": len(metrics["body"].encode())}
families = {}
for family in text_string_to_metric_families(metrics["body"]):
    families[family.name] = {"type": family.type,
                             "samples": [[s.name, s.labels, s.value] for s in family.samples]}
out["families"] = families
out["healthz"] = request("GET", "/healthz")
out["head"] = request("HEAD", "/metrics")
out["post"] = request("POST", "/metrics")
out["missing"] = request("GET", "/nope")
out["query"] = request("GET", "/metrics?x=1")["status"]
print(json.dumps(out))
