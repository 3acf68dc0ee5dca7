FROM 127.0.0.1:5050/berth/busybox
COPY . /ctx/
