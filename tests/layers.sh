#!/bin/sh
# The layering rules of doc/hacking.md, checked on the sources (run by
# make check; by hand: tests/layers.sh [SRCDIR]).
#
#   format  <-  capture                     (+ Python headers)
#   format  <-  graph <- analysis <- query <- browser
#
# 1. A file includes headers of its own layer and the layers below only.
#    The layer of include/memtrack/x.h is the layer whose
#    src/<layer>/local.mk lists it; a header no local.mk lists is an
#    error.  A file in plugins/ is a capture plugin when it includes
#    memtrack/plugin.h or Python.h, else an analysis plugin.
# 2. Python headers only in capture and capture plugins; msgpack only in
#    format; curses and readline only in the terminal front end
#    (src/browser/term*).
# 3. Libraries never print or exit: no printf, puts, fputs, fputc,
#    putchar, fprintf, vfprintf, perror, exit, _exit or abort, and no
#    stdout or stderr, in src/{format,capture,graph,analysis,query},
#    plugins/ and the browser core.  Exempt: the program and its front
#    ends (src/browser/main.c, term*, headless.c, which writes screens
#    to the FILE its caller gives, attach.c, which runs the dump
#    command for --attach, and detach.c, whose parent process exits with
#    the browser's status), code under an #if on a *DEBUG macro, and
#    comments; and the one _exit of the capture, the end of a background
#    dump's forked child (bgdump.c, mt_bgdump_child_exit).  (A dump that may
#    not raise, a trigger's or a background child's with _report, says its
#    failure in one line with write(2) on fd 2: deliberate, capture.md.)
# Prints one line per violation and exits 1 when there is one.
srcdir=${1:-${MEMTRACK_SRCDIR:-$(dirname "$0")/..}}
command -v perl >/dev/null 2>&1 || {
	echo "layers.sh: perl not found, skipped"
	exit 77
}
exec perl -e '
use strict;
use warnings;
use File::Find;

my $top = shift;
chdir $top or die "layers.sh: $top: $!\n";
my @LAYERS = qw(format capture graph analysis query browser);
my %ALLOWED = (
	format   => [qw(format)],
	capture  => [qw(format capture python)],
	graph    => [qw(format graph)],
	analysis => [qw(format graph analysis)],
	query    => [qw(format graph analysis query)],
	browser  => [qw(format graph analysis query browser)],
	frontend => [qw(format graph analysis query browser curses)],
);
# Until the browser core allocates with mt_x* (memtrack/util.h): its
# copies of "print and abort on out of memory" (issue 8, helper C).
my %PENDING = map { $_ => 1 } (
	q{fputs("memtrack-tui: out of memory\n", stderr);},
	q{abort();},
);

# The layer of each public header: the local.mk that lists it.
my %hlayer;
for my $l (reverse @LAYERS) {
	open my $fh, "<", "src/$l/local.mk" or next;
	local $/;
	my $mk = <$fh>;
	$hlayer{$1} = $l while $mk =~ m{include/memtrack/([\w.]+\.h)}g;
}

my @files;
find({ no_chdir => 1, wanted => sub { push @files, $_ if /\.[ch]$/ } },
     grep { -d } qw(src plugins));
@files = sort @files;
die "layers.sh: no sources under $top\n" unless @files;

# The text without comments (newlines kept) and #if *DEBUG blocks.
sub code {
	my ($f) = @_;
	open my $fh, "<", $f or die "$f: $!\n";
	local $/;
	my $t = <$fh>;
	$t =~ s{/\*.*?\*/}{ (my $c = $&) =~ tr/\n//cd; $c }gse;
	$t =~ s{//[^\n]*}{}g;
	my ($depth, @out) = (0);
	for (split /\n/, $t, -1) {
		if ($depth) {
			$depth++ if /^\s*#\s*if/;
			$depth-- if /^\s*#\s*endif/;
			$_ = "";
		} elsif (/^\s*#\s*if.*DEBUG/) {
			$depth = 1;
			$_ = "";
		}
		push @out, $_;
	}
	return @out;
}

sub layer_of {
	my ($f, $text) = @_;
	return "frontend" if $f =~ m{^src/browser/term};
	return $1 if $f =~ m{^src/([^/]+)/};
	return $text =~ m{^\s*#\s*include\s*(<Python\.h>|"memtrack/plugin\.h")}m
	    ? "capture" : "analysis";
}

sub inc_layer {
	my ($f, $inc) = @_;
	return $hlayer{$1} // "unlisted" if $inc =~ m{^"memtrack/(.+)"$};
	return "python"
	    if $inc =~ m{^<(Python\.h|frameobject\.h|structmember\.h|internal/)};
	return "curses" if $inc =~ m{^<(n?curses|ncursesw/|readline/|term\.h)};
	return "format" if $inc =~ m{^<msgpack};
	return "analysis" if $inc =~ m{plugins/classifiers\.def"$};
	return "capture" if $inc =~ m{plugins/capture\.def"$};
	if ($inc =~ m{^"(.+)"$}) {
		my $rel = $1;
		(my $dir = $f) =~ s{/[^/]*$}{};
		my $p = "$dir/$rel";
		1 while $p =~ s{[^/]+/\.\./}{};
		return $1 if $p =~ m{^src/([^/]+)/};
	}
	return "system";
}

my $fail = 0;
for my $f (@files) {
	my @lines = code($f);
	my $layer = layer_of($f, join("\n", @lines));
	my %ok = map { $_ => 1 } @{ $ALLOWED{$layer} || [] }, "system";
	next unless $ALLOWED{$layer};
	for my $i (0 .. $#lines) {
		next unless $lines[$i] =~ /^\s*#\s*include\s*(\S+)/;
		my $inc = $1;
		my $l = inc_layer($f, $inc);
		next if $ok{$l};
		$fail = 1;
		printf "layers: %s:%d: %s\n", $f, $i + 1, $l eq "unlisted"
		    ? "$inc is listed in no src/*/local.mk"
		    : "includes $inc ($l) from the $layer layer";
	}
	next if $f =~ m{^src/browser/(main\.c|term|headless\.c|attach\.c|detach\.c)};
	for my $i (0 .. $#lines) {
		my $s = $lines[$i];
		next unless $s =~ /(^|[^\w.>])(printf|puts|fputs|fputc|putchar|fprintf|vfprintf|perror|exit|_exit|abort)\s*\(/
		    || $s =~ /\b(stdout|stderr)\b/;
		(my $t = $s) =~ s/^\s+//;
		next if $f =~ m{^src/browser/} && $PENDING{$t};
		next if $f eq "src/capture/bgdump.c"
		    && $t eq "void mt_bgdump_child_exit(int status) { _exit(status); }";
		$fail = 1;
		printf "layers: %s:%d: a library prints or exits: %s\n",
		    $f, $i + 1, $t;
	}
}
# 4. No library links curses, readline or libpython (the link lines say
#    the layers too).
for my $mk (glob("src/*/local.mk"), glob("plugins/local.mk"),
	    glob("plugins/*/local.mk")) {
	open my $fh, "<", $mk or next;
	local $/;
	my $t = <$fh>;
	$t =~ s/\\\n/ /g;
	while ($t =~ /^(\w+_la_LIBADD)\s*\+?=(.*)$/mg) {
		my ($var, $libs) = ($1, $2);
		next unless $libs =~ /(NCURSES|READLINE|CURSES|PYTHON)\w*/;
		$fail = 1;
		print "layers: $mk: $var links $&\n";
	}
}
printf "layers: ok (%d files)\n", scalar @files unless $fail;
exit $fail;
' "$srcdir"
