"""The promptline-sim process every bench script starts: one per scenario, on a free loopback port."""
import json
import os
import re
import subprocess
import tempfile
import urllib.request

BIN = os.environ["PROMPTLINE_BIN_DIR"]


class Sim:
    def __init__(self, scenario):
        fd, self.scenario = tempfile.mkstemp(suffix=".json")
        os.write(fd, json.dumps(scenario).encode())
        os.close(fd)
        self.proc = subprocess.Popen([f"{BIN}/promptline-sim", "--port", "0", "--api-key", "bench", "--scenario", self.scenario],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = re.search(r"http://[0-9.:]+", self.proc.stdout.readline()).group(0)

    def get(self, path):
        with urllib.request.urlopen(self.url + path) as r:
            return json.load(r)

    def stats(self):
        return self.get("/_sim/stats")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        os.remove(self.scenario)
