#!/usr/bin/env python3
# Executable inventory without _meta: Ansible asks --host NAME for each host.
import json, sys
if sys.argv[1] == "--list":
    print(json.dumps({"ss7": {"hosts": ["stp01", "stp02"], "vars": {"pc": 1234}}, "all": {"vars": {"from_script": True}}}))
elif sys.argv[1] == "--host":
    name = sys.argv[2]
    print(json.dumps({"stp01": {"linkset": "ls-a", "slc": [0, 1]}, "stp02": {}}.get(name, {})))
