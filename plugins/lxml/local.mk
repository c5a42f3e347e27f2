## plugins/lxml: the libxml2 trees behind lxml's documents (capture).
_memtrack_la_SOURCES += plugins/lxml/lxml.c
