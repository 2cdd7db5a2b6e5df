"""Either benchmarked site (``BENCH_APP``, a WSGI module) with its clock set to
``BENCH_NOW`` (an ISO time with its offset) and running on from there, so that the
front desk's Today can be measured on a busy weekday whatever day the run is on. Both
sites get the same clock."""

import os
from datetime import datetime
from importlib import import_module

import time_machine

if os.environ.get("BENCH_NOW"):
    time_machine.travel(datetime.fromisoformat(os.environ["BENCH_NOW"]), tick=True).start()

application = import_module(os.environ["BENCH_APP"]).application
