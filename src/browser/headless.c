/* The headless mt_ui (headless.h): a parsed key script, the size it says,
 * and the text of the last screen drawn, written out per step or on
 * <save>.  Progress never cancels; idle work stops while the script has
 * keys left; a beep is remembered for the step line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "browser.h"
#include "headless.h"
#include "memtrack/strbuf.h"
#include "memtrack/util.h"

typedef struct hkey {
	int key;
	int cols, rows; /* <Resize:...> */
	bool save;
	char name[48];
} hkey;

struct mt_headless {
	mt_ui ui;
	hkey *keys;
	size_t n, pos;
	int rows, cols;
	FILE *out;
	bool each_step;
	mt_strbuf screen; /* text of the last screen drawn */
	bool drawn;
	size_t step;	  /* keys handed out */
	const char *last; /* name of the last key handed out */
	bool beeped;
	size_t saves;
	bool werr;
	bool ended; /* the script ended in a live prompt: its last step is
		       written, the screens after it are not */
};

static const struct {
	const char *name;
	int key;
} names[] = {
	{"Enter", MT_KEY_ENTER},     {"Esc", MT_KEY_ESC},
	{"Up", MT_KEY_UP},	     {"Down", MT_KEY_DOWN},
	{"Left", MT_KEY_LEFT},	     {"Right", MT_KEY_RIGHT},
	{"PgUp", MT_KEY_PGUP},	     {"PgDn", MT_KEY_PGDN},
	{"Home", MT_KEY_HOME},	     {"End", MT_KEY_END},
	{"Backspace", MT_KEY_BACKSPACE}, {"Tab", MT_KEY_TAB},
	{"F1", MT_KEY_F1},	     {"Space", ' '},
	{"C-l", MT_KEY_CTRL_L},	     {"C-f", MT_KEY_CTRL_F},
	{"C-b", MT_KEY_CTRL_B},	     {"C-d", MT_KEY_CTRL_D},
	{"C-u", MT_KEY_CTRL_U},	     {"WheelUp", MT_KEY_WHEEL_UP},
	{"WheelDown", MT_KEY_WHEEL_DOWN}, {"lt", '<'},
};

bool mt_headless_parse_size(const char *s, int *cols, int *rows)
{
	char *end;
	long c = strtol(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X'))
		return false;
	const char *r0 = end + 1;
	long r = strtol(r0, &end, 10);
	if (end == r0 || *end || c < 1 || r < 1 || c > 1000 || r > 1000)
		return false;
	*cols = (int)c;
	*rows = (int)r;
	return true;
}

/* One character of the script: a bad byte is a key of its own. */
static size_t utf8_cp(const unsigned char *s, int *cp)
{
	uint32_t c;
	size_t n = mt_utf8_decode((const char *)s, MT_UTF8_MAX, &c);
	*cp = n ? (int)c : s[0];
	return n ? n : 1;
}

static void add_utf8(mt_strbuf *b, int cp)
{
	char t[MT_UTF8_MAX];
	mt_strbuf_add(b, t, mt_utf8_encode((uint32_t)cp, t));
}

static void write_screen(mt_headless *h, const char *head)
{
	if (head && fputs(head, h->out) == EOF)
		h->werr = true;
	if (h->screen.len &&
	    fwrite(h->screen.s, 1, h->screen.len, h->out) != h->screen.len)
		h->werr = true;
}

static void flush_step(mt_headless *h)
{
	if (!h->each_step || !h->drawn || h->ended)
		return;
	char head[96];
	if (h->step == 0)
		snprintf(head, sizeof head, "--- step 0: start\n");
	else
		snprintf(head, sizeof head, "--- step %zu: %s%s\n", h->step,
			 h->last, h->beeped ? " (beep)" : "");
	write_screen(h, head);
	h->drawn = false;
	h->beeped = false;
}

static void hl_size(mt_ui *ui, int *rows, int *cols)
{
	mt_headless *h = ui->priv;
	*rows = h->rows;
	*cols = h->cols;
}

static void hl_draw(mt_ui *ui, const mt_screen *s)
{
	mt_headless *h = ui->priv;
	mt_strbuf_reset(&h->screen);
	mt_screen_text(s, &h->screen);
	h->drawn = true;
}

/* The next script entry, handling <save> and <Resize>; NULL at the end. */
static hkey *next(mt_headless *h)
{
	while (h->pos < h->n) {
		hkey *k = &h->keys[h->pos++];
		if (k->save) {
			char head[48];
			snprintf(head, sizeof head, "--- save %zu\n",
				 ++h->saves);
			write_screen(h, head);
			continue;
		}
		if (k->key == MT_KEY_RESIZE) {
			h->cols = k->cols;
			h->rows = k->rows;
		}
		return k;
	}
	return NULL;
}

static int hl_getkey(mt_ui *ui)
{
	mt_headless *h = ui->priv;
	flush_step(h);
	hkey *k = next(h);
	if (!k)
		return MT_KEY_EOF;
	h->step++;
	h->last = k->name;
	return k->key;
}

/* The live prompt's screen: the last screen drawn, its last line (left
 * empty by the core) replaced by the prompt and the line. */
static void prompt_screen(mt_headless *h, const char *prompt,
			  const char *text)
{
	size_t end = h->screen.len, start;
	if (end && h->screen.s[end - 1] == '\n')
		end--;
	start = end;
	while (start && h->screen.s[start - 1] != '\n')
		start--;
	h->screen.len = start;
	if (h->screen.s)
		h->screen.s[start] = '\0';
	mt_strbuf_printf(&h->screen, "%s%s\n", prompt, text);
	h->drawn = true;
}

/* A key read by a live prompt is a step of its own. */
static void prompt_step(mt_headless *h, const hkey *k)
{
	flush_step(h);
	h->step++;
	h->last = k->name;
}

static char *hl_readline(mt_ui *ui, const char *prompt, const char *histname,
			 char *(*complete)(void *, const char *, int),
			 void *data, void (*changed)(void *, const char *))
{
	mt_headless *h = ui->priv;
	(void)histname;
	if (!prompt)
		prompt = "";
	mt_strbuf line;
	mt_strbuf_init(&line);
	if (changed) /* the screen of the key that opened the prompt */
		prompt_screen(h, prompt, "");
	for (;;) {
		hkey *k = next(h);
		if (k && changed)
			prompt_step(h, k);
		if (!k && changed) { /* the last step shows the prompt */
			flush_step(h);
			h->ended = true;
		}
		if (!k || k->key == MT_KEY_ESC) {
			mt_strbuf_destroy(&line);
			return NULL;
		}
		if (k->key == MT_KEY_ENTER)
			break;
		size_t before = line.len;
		bool edited = false;
		if (k->key == MT_KEY_BACKSPACE) {
			while (line.len &&
			       (line.s[line.len - 1] & 0xc0) == 0x80)
				line.len--;
			if (line.len)
				line.len--;
			if (line.s)
				line.s[line.len] = '\0';
			edited = line.len != before;
		} else if (k->key == MT_KEY_TAB) {
			char *c = complete ? complete(data, line.s ? line.s
								 : "",
						      0)
					   : NULL;
			if (c) {
				size_t w = line.len;
				while (w && (line.s[w - 1] == '_' ||
					     (line.s[w - 1] >= '0' &&
					      line.s[w - 1] <= '9') ||
					     ((line.s[w - 1] | 0x20) >= 'a' &&
					      (line.s[w - 1] | 0x20) <= 'z')))
					w--;
				line.len = w;
				if (line.s)
					line.s[w] = '\0';
				mt_strbuf_add(&line, c, strlen(c));
				free(c);
				edited = true;
			}
		} else if (k->key > 0 && k->key < MT_KEY_SPECIAL &&
			   k->key >= ' ') {
			add_utf8(&line, k->key);
			edited = true;
		}
		if (changed) {
			if (edited)
				changed(data, line.s ? line.s : "");
			prompt_screen(h, prompt, line.s ? line.s : "");
		}
	}
	char *r = strdup(line.s ? line.s : "");
	mt_strbuf_destroy(&line);
	return r;
}

static bool hl_progress(mt_ui *ui, const char *label, uint64_t done,
			uint64_t total)
{
	(void)ui;
	(void)label;
	(void)done;
	(void)total;
	return false;
}

/* A user who keeps typing: a key waits while the script has keys left
 * (a <save> is not one). */
static bool hl_idle(mt_ui *ui, const char *label, uint64_t done,
		    uint64_t total)
{
	mt_headless *h = ui->priv;
	(void)label;
	(void)done;
	(void)total;
	for (size_t i = h->pos; i < h->n; i++)
		if (!h->keys[i].save)
			return true;
	return false;
}

static bool hl_key_waits(mt_ui *ui)
{
	return hl_idle(ui, NULL, 0, 0);
}

static void hl_beep(mt_ui *ui)
{
	mt_headless *h = ui->priv;
	h->beeped = true;
}

mt_status mt_headless_new(mt_headless **out, const char *script, int cols,
			  int rows, FILE *screens, bool each_step, mt_err *err)
{
	*out = NULL;
	mt_headless *h = calloc(1, sizeof *h);
	size_t len = strlen(script);
	if (!h || !(h->keys = calloc(len + 1, sizeof *h->keys))) {
		free(h);
		return mt_err_set(err, MT_NOMEM, MT_NO_OFFSET, MT_NO_OFFSET,
				  NULL);
	}
	const unsigned char *s = (const unsigned char *)script;
	size_t i = 0;
	while (i < len) {
		hkey *k = &h->keys[h->n];
		if (s[i] == '\n' || s[i] == '\r') {
			i++;
			continue;
		}
		if (s[i] == '<') {
			const char *end = strchr(script + i + 1, '>');
			size_t nl = end ? (size_t)(end - script) - i - 1 : 0;
			bool found = false;
			if (end && nl > 0 && nl < 32) {
				char nm[32];
				memcpy(nm, script + i + 1, nl);
				nm[nl] = '\0';
				for (size_t j = 0;
				     j < sizeof names / sizeof names[0]; j++)
					if (strcmp(nm, names[j].name) == 0) {
						k->key = names[j].key;
						found = true;
					}
				if (strcmp(nm, "save") == 0)
					k->save = found = true;
				if (strncmp(nm, "Resize:", 7) == 0) {
					if (!mt_headless_parse_size(
						nm + 7, &k->cols, &k->rows)) {
						mt_headless_free(h);
						return mt_err_set(
						    err, MT_SYNTAX, i,
						    MT_NO_OFFSET,
						    "bad size in <%s>", nm);
					}
					k->key = MT_KEY_RESIZE;
					found = true;
				}
				if (found) {
					snprintf(k->name, sizeof k->name,
						 "<%s>", nm);
					h->n++;
					i += nl + 2;
					continue;
				}
			}
		}
		int cp;
		size_t n = utf8_cp(s + i, &cp);
		k->key = cp;
		memcpy(k->name, script + i, n);
		k->name[n] = '\0';
		if (cp == ' ')
			snprintf(k->name, sizeof k->name, "<Space>");
		h->n++;
		i += n;
	}
	h->cols = cols;
	h->rows = rows;
	h->out = screens;
	h->each_step = each_step;
	mt_strbuf_init(&h->screen);
	h->ui.size = hl_size;
	h->ui.draw = hl_draw;
	h->ui.getkey = hl_getkey;
	h->ui.readline = hl_readline;
	h->ui.progress = hl_progress;
	h->ui.idle = hl_idle;
	h->ui.key_waits = hl_key_waits;
	h->ui.beep = hl_beep;
	h->ui.priv = h;
	*out = h;
	return MT_OK;
}

mt_ui *mt_headless_ui(mt_headless *h)
{
	return &h->ui;
}

bool mt_headless_finish(mt_headless *h)
{
	if (h->each_step)
		flush_step(h);
	else if (!h->saves)
		write_screen(h, NULL);
	if (fflush(h->out) != 0)
		h->werr = true;
	return !h->werr;
}

void mt_headless_free(mt_headless *h)
{
	if (!h)
		return;
	mt_strbuf_destroy(&h->screen);
	free(h->keys);
	free(h);
}
