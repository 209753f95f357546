"""gunicorn settings: threaded workers, one per core, four threads each."""

import multiprocessing

worker_class = "gthread"
workers = multiprocessing.cpu_count()
threads = 4
keepalive = 120
accesslog = None
errorlog = "-"
loglevel = "warning"
