#!/bin/sh
# Executable inventory with _meta: one call with --list is enough.
if [ "$1" = "--list" ]; then
cat <<'JSON'
{
  "mgw": {"hosts": ["mgw01", "mgw02"], "vars": {"codec": "g711", "ptime": 20}, "children": ["mgw_edge"]},
  "mgw_edge": ["edge01"],
  "flat": {"flat_var": "becomes a host named flat"},
  "_meta": {"hostvars": {"mgw01": {"ansible_host": "127.0.0.3", "weight": 1.5}, "edge01": {"ansible_port": 2200}}}
}
JSON
else
  echo '{}'
fi
