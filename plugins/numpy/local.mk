## plugins/numpy: numpy's ndarray and dtype (capture) and the `dtype`
## classifier (analysis).
_memtrack_la_SOURCES += plugins/numpy/numpy.c
libmtanalysis_la_SOURCES += plugins/numpy/classify.c
