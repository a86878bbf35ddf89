#!/bin/sh
echo "boom: no backend" >&2
exit 3
