#!/usr/bin/perl
# SPDX-License-Identifier: BSD-3-Clause
#
# gen-imapopts.pl - generate the imapd.conf option table from lib/imapoptions.
#
# Usage: gen-imapopts.pl SPEC OUT.c OUT.h OUT.5 [SYSCONFDIR]
#
# Reads the option spec (format described at the top of lib/imapoptions),
# checks it (types, defaults within bounds, enum defaults among the values,
# no duplicate names or constants) and writes the C enum + declarations,
# the C table and the imapd.conf(5) man page.  Each output is written to a
# temporary file and renamed, so an interrupted run leaves no half file.
# Any error in the spec stops with "SPEC:LINE: message" and exit status 1.

use strict;
use warnings;

my ($spec, $out_c, $out_h, $out_man, $sysconfdir) = @ARGV;
die "usage: $0 SPEC OUT.c OUT.h OUT.5 [SYSCONFDIR]\n" unless defined $out_man;
$sysconfdir //= '/etc';

my %TYPES = map { $_ => 1 } qw(string int switch enum list);
my %UNITS = (seconds => 'IMAPOPT_UNIT_SECONDS', minutes => 'IMAPOPT_UNIT_MINUTES',
             bytes => 'IMAPOPT_UNIT_BYTES');
my %FIELDS = map { $_ => 1 }
    qw(option type default min max unit values aliases dynamic since doc);

my (@opts, %seen_name, %seen_const);

# parse - read the spec into @opts
sub parse {
    open(my $fh, '<', $spec) or die "$spec: $!\n";
    my ($cur, $field, $lineno);
    my $finish = sub {
        return unless $cur;
        check($cur);
        push @opts, $cur;
        $cur = undef;
    };
    while (my $line = <$fh>) {
        $lineno = $.;
        chomp $line;
        $line =~ s/\s+$//;
        if ($line =~ /^#/) {
            next;
        }
        if ($line eq '') {
            $finish->();
            $field = undef;
            next;
        }
        if ($line =~ /^\s+(.*)$/) {
            my $text = $1;
            die "$spec:$lineno: continuation line outside a field\n"
                unless $cur && defined $field;
            $text = "\n" if $text eq '.';
            $cur->{$field} .= ($cur->{$field} =~ /\n$/ || $text eq "\n"
                               ? '' : ' ') . $text;
            next;
        }
        if ($line =~ /^([a-z]+):\s*(.*)$/) {
            ($field, my $val) = ($1, $2);
            die "$spec:$lineno: unknown field '$field'\n" unless $FIELDS{$field};
            if ($field eq 'option') {
                $finish->();
                $cur = { line => $lineno };
            }
            die "$spec:$lineno: field before 'option:'\n" unless $cur;
            die "$spec:$lineno: field '$field' given twice\n"
                if exists $cur->{$field};
            $cur->{$field} = $val;
            next;
        }
        die "$spec:$lineno: cannot parse line\n";
    }
    $finish->();
    close($fh);
    die "$spec: no options\n" unless @opts;
}

# enum_const - the C name of one enum value
sub enum_const {
    my ($opt, $val) = @_;
    my $c = uc("IMAP_ENUM_$opt->{option}_$val");
    $c =~ s/[^A-Z0-9_]/_/g;
    return $c;
}

# check - validate one option block and normalise its fields
sub check {
    my ($o) = @_;
    my $where = "$spec:$o->{line}";
    my $n = $o->{option};
    die "$where: bad option name '$n'\n" unless $n =~ /^[a-z][a-z0-9_]*$/;
    die "$where: option '$n' declared twice\n" if $seen_name{$n}++;
    my $t = $o->{type} // die "$where: $n: no type\n";
    die "$where: $n: unknown type '$t'\n" unless $TYPES{$t};
    die "$where: $n: no doc\n" unless defined $o->{doc} && $o->{doc} =~ /\S/;
    die "$where: $n: no since\n" unless defined $o->{since};
    $o->{doc} =~ s/\s+$//;
    for my $a (split ' ', $o->{aliases} // '') {
        die "$where: bad alias '$a'\n" unless $a =~ /^[a-z][a-z0-9_]*$/;
        die "$where: alias '$a' already a name\n" if $seen_name{$a}++;
    }
    if (defined $o->{dynamic}) {
        die "$where: $n: unknown dynamic '$o->{dynamic}'\n"
            unless $o->{dynamic} eq 'hostname';
        die "$where: $n: dynamic needs type string\n" unless $t eq 'string';
    }
    die "$where: $n: min/max/unit only for int\n"
        if $t ne 'int' && (defined $o->{min} || defined $o->{max} || defined $o->{unit});
    die "$where: $n: values only for enum\n"
        if $t ne 'enum' && defined $o->{values};
    my $d = $o->{default};
    if ($t eq 'int') {
        for my $k (qw(default min max)) {
            die "$where: $n: int needs '$k'\n" unless defined $o->{$k};
            die "$where: $n: $k '$o->{$k}' is not an integer\n"
                unless $o->{$k} =~ /^-?[0-9]+$/ && length($o->{$k}) <= 19;
        }
        die "$where: $n: default not within min..max\n"
            unless $o->{min} <= $d && $d <= $o->{max};
        if (defined $o->{unit}) {
            die "$where: $n: unknown unit '$o->{unit}'\n" unless $UNITS{$o->{unit}};
        }
    } elsif ($t eq 'switch') {
        die "$where: $n: switch default must be 0 or 1\n"
            unless defined $d && $d =~ /^[01]$/;
    } elsif ($t eq 'enum') {
        my @v = split ' ', ($o->{values} // '');
        die "$where: $n: enum needs at least two values\n" unless @v >= 2;
        my %dup;
        for my $v (@v) {
            die "$where: $n: bad enum value '$v'\n" unless $v =~ /^[a-z0-9][a-z0-9_.-]*$/;
            die "$where: $n: value '$v' twice\n" if $dup{$v}++;
            my $c = enum_const($o, $v);
            die "$where: $n: constant $c already used\n" if $seen_const{$c}++;
        }
        $o->{vals} = \@v;
        die "$where: $n: enum default '" . ($d // '') . "' not among values\n"
            unless defined $d && grep { $_ eq $d } @v;
    } else {
        # string, list: "" means the empty string, no default means NULL
        if (defined $d) {
            $o->{default} = '' if $d eq '""';
            die "$where: $n: default has a quote or backslash\n"
                if $o->{default} =~ /["\\]/;
        }
    }
}

# c_str - a C string literal (the spec forbids quotes and backslashes
# in defaults, enum values and names; doc text is escaped here)
sub c_str {
    my ($s) = @_;
    return 'NULL' unless defined $s;
    $s =~ s/\\/\\\\/g;
    $s =~ s/"/\\"/g;
    $s =~ s/\n/\\n/g;
    return "\"$s\"";
}

sub const_name { my $c = 'IMAPOPT_' . uc($_[0]); return $c; }

# write_file - write text to path through a temporary file
sub write_file {
    my ($path, $text) = @_;
    my $tmp = "$path.tmp$$";
    open(my $fh, '>', $tmp) or die "$tmp: $!\n";
    print $fh $text or die "$tmp: $!\n";
    close($fh) or die "$tmp: $!\n";
    rename($tmp, $path) or die "rename $tmp: $!\n";
}

my $NOTICE = "generated by tools/gen-imapopts.pl from lib/imapoptions; do not edit";

# gen_h - the header
sub gen_h {
    my $h = <<"EOT";
/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imapopts.h - the imapd.conf option table ($NOTICE).
 *
 * enum imapopt names every option; IMAP_ENUM_<OPTION>_<VALUE> are the
 * values of enum options as returned by cfg_get_enum().  imapopts[] is
 * indexed by enum imapopt (entry IMAPOPT_ZERO is unused); lib/cfg.c reads
 * it and nothing else should need to.
 */
#ifndef LIB_IMAPOPTS_H
#define LIB_IMAPOPTS_H

enum imapopt {
    IMAPOPT_ZERO = 0,
EOT
    $h .= "    " . const_name($_->{option}) . ",\n" for @opts;
    $h .= "    IMAPOPT_LAST\n};\n\n";
    for my $o (grep { $_->{type} eq 'enum' } @opts) {
        $h .= "/* values of $o->{option} */\nenum {\n";
        my $i = 0;
        $h .= "    " . enum_const($o, $_) . " = " . $i++ . ",\n" for @{$o->{vals}};
        $h .= "};\n";
    }
    $h .= <<'EOT';

enum imapopt_type {
    IMAPOPT_TYPE_STRING, /* any text; cfg_get_string */
    IMAPOPT_TYPE_INT,    /* a long within [min, max]; cfg_get_int */
    IMAPOPT_TYPE_SWITCH, /* 0/1 (1/0 yes/no on/off true/false t/f); cfg_get_switch */
    IMAPOPT_TYPE_ENUM,   /* one of values[]; cfg_get_enum */
    IMAPOPT_TYPE_LIST,   /* whitespace-separated words; cfg_get_list, cfg_get_string */
};

/* the unit of an int option: the number is in that unit, and a value may
 * carry a suffix (s/m/h/d for times, K/M/G for sizes) as in Cyrus 3 */
enum imapopt_unit {
    IMAPOPT_UNIT_NONE,
    IMAPOPT_UNIT_SECONDS,
    IMAPOPT_UNIT_MINUTES,
    IMAPOPT_UNIT_BYTES,
};

/* flags */
#define IMAPOPT_F_DYNAMIC_HOSTNAME 0x1 /* unset: the host name at load time */

struct imapopt_def {
    const char *name;            /* lower case, as in imapd.conf */
    enum imapopt_type type;
    const char *def_str;         /* STRING/LIST default; NULL: none */
    long def_num;                /* INT/SWITCH/ENUM default */
    long min, max;               /* INT bounds, inclusive */
    enum imapopt_unit unit;      /* INT only */
    const char *const *values;   /* ENUM value names, NULL-terminated */
    unsigned flags;              /* IMAPOPT_F_* */
    const char *since;           /* version that introduced it */
};

/* imapopts - the table, indexed by enum imapopt */
extern const struct imapopt_def imapopts[IMAPOPT_LAST];

/* imapopt_aliases - deprecated spellings, NULL-name terminated; a key
 * equal to name sets opt (with a warning) */
struct imapopt_alias {
    const char *name;
    enum imapopt opt;
};
extern const struct imapopt_alias imapopt_aliases[];

#endif /* LIB_IMAPOPTS_H */
EOT
    return $h;
}

my %TYPE_C = (string => 'IMAPOPT_TYPE_STRING', int => 'IMAPOPT_TYPE_INT',
              switch => 'IMAPOPT_TYPE_SWITCH', enum => 'IMAPOPT_TYPE_ENUM',
              list => 'IMAPOPT_TYPE_LIST');

# gen_c - the table
sub gen_c {
    my $c = <<"EOT";
/* SPDX-License-Identifier: BSD-3-Clause */
/* imapopts.c - the imapd.conf option table ($NOTICE). */
#include "config.h"

#include <stddef.h>

#include "lib/imapopts.h"

EOT
    for my $o (grep { $_->{type} eq 'enum' } @opts) {
        $c .= "static const char *const values_$o->{option}\[] = { "
            . join(', ', map { c_str($_) } @{$o->{vals}}) . ", NULL };\n";
    }
    $c .= "\nconst struct imapopt_def imapopts[IMAPOPT_LAST] = {\n";
    $c .= "    [IMAPOPT_ZERO] = { NULL, IMAPOPT_TYPE_STRING, NULL, 0, 0, 0,"
        . " IMAPOPT_UNIT_NONE, NULL, 0, NULL },\n";
    for my $o (@opts) {
        my $t = $o->{type};
        my ($ds, $dn, $min, $max, $unit, $vals) =
            ('NULL', '0', '0', '0', 'IMAPOPT_UNIT_NONE', 'NULL');
        if ($t eq 'int') {
            ($dn, $min, $max) = map { "${_}L" } @$o{qw(default min max)};
            $unit = $UNITS{$o->{unit}} if defined $o->{unit};
        } elsif ($t eq 'switch') {
            $dn = $o->{default};
        } elsif ($t eq 'enum') {
            $dn = enum_const($o, $o->{default});
            $vals = "values_$o->{option}";
        } else {
            $ds = c_str($o->{default});
        }
        my $flags = defined $o->{dynamic} ? 'IMAPOPT_F_DYNAMIC_HOSTNAME' : '0';
        $c .= "    [" . const_name($o->{option}) . "] = { " . c_str($o->{option})
            . ", $TYPE_C{$t}, $ds, $dn, $min, $max, $unit, $vals, $flags, "
            . c_str($o->{since}) . " },\n";
    }
    $c .= "};\n\nconst struct imapopt_alias imapopt_aliases[] = {\n";
    for my $o (@opts) {
        for my $a (split ' ', $o->{aliases} // '') {
            $c .= "    { " . c_str($a) . ", " . const_name($o->{option}) . " },\n";
        }
    }
    $c .= "    { NULL, IMAPOPT_ZERO },\n};\n";
    return $c;
}

# man_esc - escape text for troff
sub man_esc {
    my ($s) = @_;
    $s =~ s/\\/\\e/g;
    $s =~ s/-/\\-/g;
    $s =~ s/^([.'])/\\&$1/mg;
    return $s;
}

# man_doc - doc text as troff paragraphs
sub man_doc {
    my @paras = split /\n/, $_[0];
    return join(".IP\n", map { man_esc($_) . "\n" } grep { /\S/ } @paras);
}

# gen_man - imapd.conf(5)
sub gen_man {
    my $conf = man_esc("$sysconfdir/imapd.conf");
    my $m = <<"EOT";
.\\" SPDX-License-Identifier: BSD-3-Clause
.\\" $NOTICE
.TH IMAPD.CONF 5 "" "murder" "File Formats"
.SH NAME
imapd.conf \\- configuration file of the murder mail servers
.SH DESCRIPTION
.B imapd.conf
configures every program of the suite: master and its services (imapd,
proxyd, pop3d, pop3proxyd, lmtpd, lmtpproxyd, mupdate) and the admin tools.
Its format and option names are those of Cyrus IMAP, so a Cyrus
configuration can be used unchanged.  Programs read
.I $conf
unless given another file with
.BR \\-C .
.SH SYNTAX
Each line is
.IP
.I key\\fB:\\fP value
.PP
Keys are case-insensitive and made of letters, digits,
.B \\-
and
.BR _ .
White space around the value is removed; the value must not be empty.
A line whose first non-blank character is
.B #
is a comment, and so is a blank line; a
.B #
after a value is part of the value (as in Cyrus).
A line ending in a backslash continues on the next line.
A line may hold at most 8192 bytes.
.B \@include: file
reads another file at that point (files may not be included twice).
Setting the same key twice is an error.
.PP
Switches accept
.BR 1 ", " yes ", " on ", " true ", " t
and
.BR 0 ", " no ", " off ", " false ", " f .
Integers are decimal and must lie within the bounds listed below; an
option with a unit also accepts a suffix:
.BR s ", " m ", " h ", " d
for times (e.g.
.BR 1h30m )
and
.BR K ", " M ", " G
(optionally followed by
.BR i " or " B )
for sizes.  Enumerations accept exactly the listed values; those with
.BR on " and " off
values also accept the switch spellings.
.PP
A bad value (not a number, out of bounds, not an allowed value) stops the
program with a message naming the file, line, key and what is allowed.
An unknown key is logged as a warning naming the file and line, and is
otherwise ignored.
.SS Partitions
.B partition\\-\\fIname\\fP: \\fIpath\\fP
declares the mail spool partition
.IR name ;
.B defaultpartition
names the one new mailboxes go to.
.SS Service-specific options
.B \\fIservice\\fP_\\fIoption\\fP: \\fIvalue\\fP
sets
.I option
for the service whose cyrus.conf name is
.I service
only, overriding
.I option
whatever the order of the lines; e.g.
.B lmtp_admins
applies to the service named
.B lmtp
instead of
.BR admins .
Overrides for other services are ignored silently.
.SS SASL options
Every key starting with
.B sasl_
is passed, without that prefix, to the Cyrus SASL library (for example
.BR sasl_pwcheck_method ", " sasl_mech_list ", " sasl_auxprop_plugin );
the ones listed below are also used by the servers themselves.
.B \\fIservice\\fP_sasl_\\fIoption\\fP
overrides them per service.
.SH OPTIONS
Each option shows its type and default.
EOT
    for my $o (sort { $a->{option} cmp $b->{option} } @opts) {
        my $t = $o->{type};
        my $d = $o->{default};
        my $desc;
        if ($t eq 'int') {
            $desc = "integer, $o->{min}..$o->{max}";
            $desc .= ", in $o->{unit}" if defined $o->{unit};
        } elsif ($t eq 'enum') {
            $desc = "one of " . join(', ', @{$o->{vals}});
        } elsif ($t eq 'list') {
            $desc = "list (separated by white space)";
        } else {
            $desc = $t;
        }
        my $dtext = defined $o->{dynamic} ? 'the host name'
                  : !defined $d ? 'none'
                  : $d eq '' ? 'empty' : $d;
        $m .= ".TP\n.BI \"" . man_esc($o->{option}) . ": \" \"" . man_esc($dtext)
            . "\"\n(" . man_esc($desc) . "; since $o->{since}";
        if ($o->{aliases}) {
            $m .= "; deprecated spelling" . ($o->{aliases} =~ / / ? 's ' : ' ')
                . man_esc(join(', ', split ' ', $o->{aliases}));
        }
        $m .= ")\n.br\n" . man_doc($o->{doc});
    }
    $m .= ".SH FILES\n.I $conf\n";
    $m .= <<'EOT';
.SH SEE ALSO
.BR cyrus.conf (5),
.BR master (8),
.BR imapd (8),
.BR proxyd (8),
.BR lmtpd (8),
.BR mupdate (8)
EOT
    return $m;
}

parse();
# the .c first: make treats it as the target of the rule (see Makefile.am)
write_file($out_c, gen_c());
write_file($out_h, gen_h());
write_file($out_man, gen_man());
exit 0;
