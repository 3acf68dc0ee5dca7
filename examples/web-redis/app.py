"""Flask hit counter: every GET / increments the key "hits" in Redis."""

import os
import signal
import sys
import time

import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(
    host=os.environ.get("REDIS_HOST", "redis"),
    port=int(os.environ.get("REDIS_PORT", "6379")),
    socket_connect_timeout=2,
)


def get_hit_count():
    # Redis may still be starting when the first request comes in:
    # retry a few times before giving up.
    retries = 5
    while True:
        try:
            return cache.incr("hits")
        except redis.exceptions.ConnectionError:
            if retries == 0:
                raise
            retries -= 1
            time.sleep(0.5)


@app.route("/")
def hello():
    count = get_hit_count()
    return f"Hello from berth! I have been seen {count} times.\n"


if __name__ == "__main__":
    # As PID 1 the process gets no default SIGTERM handling: exit on it, so that
    # `berth down` does not wait out the grace period.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app.run(host="0.0.0.0", port=8000)
