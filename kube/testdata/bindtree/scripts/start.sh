#!/bin/sh
exec httpd -f -h /srv/site
