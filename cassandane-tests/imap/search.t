#!/usr/bin/perl
# search.t - SEARCH and UID SEARCH (RFC 3501 6.4.4) over a fixed corpus
# (Murder::SearchCorpus): every key against the index (flags, sizes,
# dates, UIDs, sequence sets), the cache (FROM/TO/CC/SUBJECT, SENT*),
# the message file (HEADER on uncached fields, BODY/TEXT decoded from
# base64 and quoted-printable), NOT/OR/groups, MODSEQ, and the BAD
# replies naming the offending key.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::SearchCorpus;

skip_unless_built(qw(master imapd));

my ($n, $c) = Murder::SearchCorpus::setup();

my %cases = (
    'ALL'                          => '1 2 3 4 5 6',
    'SEEN'                         => '1',
    'UNSEEN'                       => '2 3 4 5 6',
    'ANSWERED'                     => '2',
    'UNANSWERED FLAGGED'           => '',
    'FLAGGED'                      => '2',
    'UNFLAGGED UNDELETED UNDRAFT'  => '1 3 6',
    'DELETED'                      => '4',
    'DRAFT'                        => '5',
    'KEYWORD $Work'                => '3',
    'UNKEYWORD $Work'              => '1 2 4 5 6',
    'KEYWORD $Nothing'             => '',
    'NEW'                          => '',
    'RECENT'                       => '',
    'OLD'                          => '1 2 3 4 5 6',
    'FROM alice'                   => '1',
    'FROM "ALICE@EXAMPLE"'         => '1',
    'FROM andr'                    => '3',
    'TO bob'                       => '1 4',
    'CC carol'                     => '1',
    'BCC carol'                    => '',
    'SUBJECT lunch'                => '4 5 6',
    'SUBJECT "hello WORLD"'        => '1 2',
    'BODY lemon'                   => '2',
    'BODY "QUICK  brown"'          => '1',
    'BODY andre'                   => '',
    'TEXT andre'                   => '3',
    'TEXT "filler line"'           => '4',
    'BODY AAECAwQF'                => '',
    'HEADER X-Priority 1'          => '4',
    'HEADER X-Priority ""'         => '4',
    'HEADER References missing'    => '5 6',
    'HEADER Message-ID <2@x>'      => '2',
    'LARGER 1000'                  => '4',
    'SMALLER 1000'                 => '1 2 3 5 6',
    'BEFORE 8-Feb-1994'            => '1',
    'ON 10-Feb-1994'               => '3',
    'SINCE 13-Feb-1994'            => '5 6',
    'SENTBEFORE 9-Feb-1994'        => '1 2',
    'SENTON 9-Feb-1994'            => '6',
    'SENTSINCE 11-Feb-1994'        => '4 5',
    '2,5:*'                        => '2 5 6',
    '*'                            => '6',
    'UID 2:4'                      => '2 3 4',
    'NOT SEEN'                     => '2 3 4 5 6',
    'OR SEEN DRAFT'                => '1 5',
    '(FROM bob SUBJECT hello)'     => '2',
    'OR (SEEN) (OR DELETED KEYWORD $Work)' => '1 3 4',
    'NOT (UNSEEN SMALLER 1000)'    => '1 4',
    'UNSEEN BODY lunch'            => '5 6',
);
for my $k (sort keys %cases) {
    my ($ok, $got) = Murder::SearchCorpus::search($c, "SEARCH $k");
    like($ok, qr/^\S+ OK/, "SEARCH $k: OK");
    is($got, $cases{$k}, "SEARCH $k");
}

# UID SEARCH answers UIDs: map them through SEARCH ALL / UID SEARCH ALL
my (undef, $all) = Murder::SearchCorpus::search($c, 'UID SEARCH ALL');
my @uids = split / /, $all;
is(scalar @uids, 6, 'six UIDs');
my (undef, $u) = Murder::SearchCorpus::search($c, 'UID SEARCH SUBJECT lunch');
is($u, join(' ', @uids[3, 4, 5]), 'UID SEARCH gives UIDs');
(undef, $u) = Murder::SearchCorpus::search($c, "UID SEARCH UID $uids[5]:*");
is($u, $uids[5], 'UID n:* includes the highest UID');

# MODSEQ (CONDSTORE): results are followed by (MODSEQ n)
my ($ok, @r) = Murder::MsgIMAP::cmd($c, 'SEARCH MODSEQ 1 SEEN');
like($ok, qr/^\S+ OK/, 'SEARCH MODSEQ: OK');
like($r[-1] // '', qr/^\* SEARCH 1 \(MODSEQ \d+\)$/, 'SEARCH MODSEQ result');

# errors: BAD naming the key
for my $bad (['FOO', qr/Invalid search key FOO/],
             ['SINCE 1-Foo-2000', qr/Invalid date for SINCE/],
             ['LARGER x', qr/Invalid number for LARGER/],
             ['FROM', qr/Missing argument for FROM/],
             ['OR SEEN', qr/Missing search key/],
             ['', qr/Missing search key/]) {
    ($ok) = Murder::MsgIMAP::cmd($c, "SEARCH $bad->[0]");
    like($ok // '', qr/^\S+ BAD .*$bad->[1]/, "SEARCH $bad->[0]: BAD");
}
# still usable afterwards
($ok, $u) = Murder::SearchCorpus::search($c, 'SEARCH SEEN');
is($u, '1', 'session still works after BADs');

done_testing();
