#!/usr/bin/perl
# sort.t - SORT and UID SORT (RFC 5256; DISPLAYFROM of RFC 5957) on the
# search corpus: every key, REVERSE, multiple criteria, ties broken by
# sequence number, base subjects (Re:, Fwd:, [list] stripped), a search
# program after the charset, and the BAD / NO [BADCHARSET] errors.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::SearchCorpus;

skip_unless_built(qw(master imapd));

my ($n, $c) = Murder::SearchCorpus::setup();

my ($ok, @caps) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
like($caps[0] // '', qr/ SORT\b/, 'SORT advertised');

# sizes come from the corpus itself
my @bysize = sort {
    length(Murder::SearchCorpus::text($a)) <=> length(Murder::SearchCorpus::text($b)) || $a <=> $b
} 1 .. 6;

my @cases = (
    [ '(ARRIVAL) UTF-8 ALL',             '1 2 3 4 5 6' ],
    [ '(REVERSE ARRIVAL) UTF-8 ALL',     '6 5 4 3 2 1' ],
    [ '(DATE) UTF-8 ALL',                '1 2 6 3 5 4' ],
    [ '(REVERSE DATE) UTF-8 ALL',        '4 5 3 6 2 1' ],
    [ '(SUBJECT) UTF-8 ALL',             '3 1 2 4 5 6' ],
    [ '(SUBJECT REVERSE DATE) UTF-8 ALL', '3 2 1 4 5 6' ],
    [ '(FROM) UTF-8 ALL',                '1 3 2 6 4 5' ],
    [ '(TO) UTF-8 ALL',                  '2 3 5 6 1 4' ],
    [ '(CC) UTF-8 ALL',                  '2 3 4 5 6 1' ],
    [ '(REVERSE CC) UTF-8 ALL',          '1 2 3 4 5 6' ],
    [ '(DISPLAYFROM) UTF-8 ALL',         '1 3 2 6 4 5' ],
    [ '(SIZE) UTF-8 ALL',                join(' ', @bysize) ],
    [ '(SUBJECT) US-ASCII SINCE 9-Feb-1994', '3 4 5 6' ],
    [ '(DATE) UTF-8 SUBJECT lunch',      '6 5 4' ],
    [ '(SUBJECT) UTF-8 TEXT "not in the mailbox"', '' ],
);
for my $t (@cases) {
    my ($ok, $got) = Murder::SearchCorpus::search($c, "SORT $t->[0]");
    like($ok, qr/^\S+ OK/, "SORT $t->[0]: OK");
    is($got, $t->[1], "SORT $t->[0]");
}

my (undef, $all) = Murder::SearchCorpus::search($c, 'UID SEARCH ALL');
my @uids = split / /, $all;
my (undef, $got) = Murder::SearchCorpus::search($c, 'UID SORT (REVERSE DATE) UTF-8 ALL');
is($got, join(' ', @uids[3, 4, 2, 5, 1, 0]), 'UID SORT answers UIDs');

for my $bad ([ 'SORT (BOGUS) UTF-8 ALL', qr/BAD/ ],
             [ 'SORT () UTF-8 ALL', qr/BAD/ ],
             [ 'SORT (REVERSE) UTF-8 ALL', qr/BAD/ ],
             [ 'SORT (DATE) UTF-8', qr/BAD/ ],
             [ 'SORT (DATE) UTF-8 FOO', qr/BAD .*FOO/ ],
             [ 'SORT (DATE) X-NO-SUCH ALL', qr/NO \[BADCHARSET/ ]) {
    my ($ok) = Murder::MsgIMAP::cmd($c, $bad->[0]);
    like($ok // '', qr/^\S+ $bad->[1]/, "$bad->[0]: refused");
}

done_testing();
