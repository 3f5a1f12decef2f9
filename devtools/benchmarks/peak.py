"""``python -m devtools.benchmarks.peak COMMAND [ARGS...]``: run a management command and report its peak memory.

The peak is the largest resident set of this process (VmHWM, counted from its own start: a figure taken by the
parent through wait4 would also count the parent's memory, which Linux carries over the fork and exec) and of
the children it waited for (the import's forked spreadsheet parser). The last line of standard output is
``PEAK {"seconds": …, "peak_rss": bytes}``; the command's own output comes before it.
"""

import json
import os
import resource
import sys
import time


def _own_peak() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command(*argv)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    sys.stdout.write("PEAK " + json.dumps({"seconds": seconds, "peak_rss": max(_own_peak(), children)}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
