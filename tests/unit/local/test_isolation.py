"""SerializedServices: moto sees one request at a time per service, as atomic as AWS's."""

from __future__ import annotations

import threading
import time

from relay_tools.local.isolation import SerializedServices, service_of


def test_service_of_json_protocols_signed_rest_and_paths():
    assert service_of({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems"}) == "DynamoDB_20120810"
    assert service_of({"HTTP_X_AMZ_TARGET": "AWSStepFunctions.SendTaskSuccess"}) == "AWSStepFunctions"
    signed = "AWS4-HMAC-SHA256 Credential=local/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x"
    assert service_of({"HTTP_AUTHORIZATION": signed, "PATH_INFO": "/bucket/key"}) == "s3"
    assert service_of({"PATH_INFO": "/media-bucket/uploads/x"}) == "media-bucket"  # presigned POST
    assert service_of({"PATH_INFO": "/"}) == "/"


class _Recorder:
    """An inner app that notes how many requests of each service overlap."""

    def __init__(self) -> None:
        self.active: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.overall_peak = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        service = service_of(environ)
        with self._lock:
            self.active[service] = self.active.get(service, 0) + 1
            self.peak[service] = max(self.peak.get(service, 0), self.active[service])
            self.overall_peak = max(self.overall_peak, sum(self.active.values()))
        time.sleep(0.02)
        with self._lock:
            self.active[service] -= 1
        start_response("200 OK", [])
        return iter([b"ok"])


def _fire(app, targets):
    barrier = threading.Barrier(len(targets))
    bodies = []

    def call(target):
        barrier.wait()
        bodies.append(app({"HTTP_X_AMZ_TARGET": target + ".Op"}, lambda *a: None))

    threads = [threading.Thread(target=call, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return bodies


def test_one_request_at_a_time_per_service_but_services_in_parallel():
    inner = _Recorder()
    bodies = _fire(SerializedServices(inner), ["DynamoDB_20120810"] * 6 + ["AWSStepFunctions"] * 6)
    assert inner.peak == {"DynamoDB_20120810": 1, "AWSStepFunctions": 1}
    assert inner.overall_peak == 2  # the two services did overlap
    assert bodies == [[b"ok"]] * 12  # the body was read out under the lock


def test_without_it_requests_overlap():
    inner = _Recorder()
    _fire(inner, ["DynamoDB_20120810"] * 6)
    assert inner.peak["DynamoDB_20120810"] > 1  # the recorder can see an overlap
