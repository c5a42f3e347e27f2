/* A capture plugin for tests/python/test_plugins.py, built by make check as
 * tests/python/.libs/mt_testplugin.so and loaded by path.  It describes
 * collections.deque (and subclasses) and, on purpose, misbehaves the way
 * the environment variable MT_TESTPLUGIN_MODE (read when memtrack loads it,
 * and again by prepare) says:
 *
 *   good       size 4242, length, value "deque-plugin", an edge
 *              ->plugin_type to the deque's type, a buffer of 1000 bytes
 *              per deque ("mt_testplugin.block") and one buffer of 500
 *              bytes shared by all deques ("mt_testplugin.shared")
 *   garbage    an edge to an unmapped address
 *   unaligned  an edge to the deque's address + 3
 *   nonobject  an edge to a zeroed static block (readable, no type)
 *   size       a negative size
 *   buffer     a buffer of 2^60 bytes
 *   fail       visit returns -1 (with a reason)
 *   relation   an edge with relation 7
 *   prepare    prepare returns -1
 *   version    built for plugin API 99 (refused when loaded)
 *
 * In every mode but good the first deque is reported correctly up to the
 * bad report, so the test can check that nothing of it is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "memtrack/plugin.h"

static const char *mode(void)
{
	const char *m = getenv("MT_TESTPLUGIN_MODE");
	return m ? m : "good";
}

static int is(const char *m) { return strcmp(mode(), m) == 0; }

static void *zeroes[8];
static char shared_block[1];

static int visit_deque(const mt_plugin_host *h, mt_plugin_sink *s,
		       PyObject *o)
{
	h->size(s, 4242);
	h->length(s, Py_SIZE(o));
	h->value(s, "deque-plugin", 12);
	h->edge(s, MT_PLUGIN_INTERATTR, "plugin_type", 0,
		(PyObject *)Py_TYPE(o));
	h->buffer(s, "mt_testplugin.block", "blocks", o, 1000);
	h->buffer(s, "mt_testplugin.shared", "shared", shared_block, 500);
	if (is("garbage"))
		h->edge(s, MT_PLUGIN_ATTR, "garbage", 0,
			(PyObject *)(uintptr_t)0x10);
	else if (is("unaligned"))
		h->edge(s, MT_PLUGIN_ATTR, "unaligned", 0,
			(PyObject *)((char *)o + 3));
	else if (is("nonobject"))
		h->edge(s, MT_PLUGIN_INDEX, NULL, 0, (PyObject *)zeroes);
	else if (is("size"))
		h->size(s, (uint64_t)-16);
	else if (is("buffer"))
		h->buffer(s, "mt_testplugin.block", "huge", zeroes,
			  (uint64_t)1 << 60);
	else if (is("relation"))
		h->edge(s, 7, "cell", 0, (PyObject *)Py_TYPE(o));
	else if (is("fail")) {
		h->fail(s, "deliberate failure");
		return -1;
	}
	return 0;
}

static int prepare(const mt_plugin *p)
{
	(void)p;
	return is("prepare") ? -1 : 0;
}

static const mt_plugin_type types[] = {
    {"_collections", "deque", MT_PLUGIN_SUBCLASSES | MT_PLUGIN_COMPLETE,
     visit_deque},
};

static mt_plugin plugin = {MT_PLUGIN_API_VERSION,
			   "testplugin",
			   "_collections",
			   "collections.deque, misbehaving on request (tests)",
			   prepare,
			   types,
			   1};

MT_PLUGIN_DEFINE(testplugin)
{
	plugin.api_version = is("version") ? 99 : MT_PLUGIN_API_VERSION;
	return &plugin;
}
