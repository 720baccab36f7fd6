#!/usr/bin/perl
# esearch.t - SEARCH RETURN (RFC 4731 ESEARCH): MIN, MAX, COUNT, ALL as a
# sequence set, "()" meaning ALL, UID in the response of UID SEARCH,
# empty results (only COUNT shown), and BAD for unknown options (SAVE is
# SEARCHRES: searchres.t).  The capability is advertised.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::SearchCorpus;

skip_unless_built(qw(master imapd));

my ($n, $c) = Murder::SearchCorpus::setup();

# esearch - the single untagged response of $cmd (and the tagged reply)
sub esearch {
    my ($cmd) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $cmd);
    return ($ok // '', join("\n", @u));
}

my ($ok, @caps) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
like($caps[0] // '', qr/ ESEARCH\b/, 'ESEARCH advertised');

my @cases = (
    [ 'SEARCH RETURN () SUBJECT lunch', qr/^\* ESEARCH \(TAG "\S+"\) ALL 4:6$/ ],
    [ 'SEARCH RETURN (MIN MAX COUNT) SUBJECT lunch',
      qr/^\* ESEARCH \(TAG "\S+"\) MIN 4 MAX 6 COUNT 3$/ ],
    [ 'SEARCH RETURN (ALL) OR SEEN SUBJECT lunch', qr/^\* ESEARCH \(TAG "\S+"\) ALL 1,4:6$/ ],
    [ 'SEARCH RETURN (COUNT) ALL', qr/^\* ESEARCH \(TAG "\S+"\) COUNT 6$/ ],
    [ 'SEARCH RETURN (MIN COUNT ALL) SUBJECT nothing-like-this',
      qr/^\* ESEARCH \(TAG "\S+"\) COUNT 0$/ ],
    [ 'UID SEARCH RETURN (MAX) ALL', qr/^\* ESEARCH \(TAG "\S+"\) UID MAX \d+$/ ],
    [ 'SEARCH RETURN (MIN) CHARSET UTF-8 DRAFT', qr/^\* ESEARCH \(TAG "\S+"\) MIN 5$/ ],
);
for my $t (@cases) {
    my ($ok, $u) = esearch($t->[0]);
    like($ok, qr/^\S+ OK/, "$t->[0]: OK");
    like($u, $t->[1], $t->[0]);
}
# the tag in the response is this command's
my $tag = 't' . ($c->{tag} + 1);
(undef, my $u) = esearch('SEARCH RETURN (COUNT) SEEN');
like($u, qr/^\* ESEARCH \(TAG "\Q$tag\E"\) COUNT 1$/, 'TAG is the command tag');

for my $bad ('SEARCH RETURN (BOGUS) ALL',
             'SEARCH RETURN ALL', 'SEARCH RETURN') {
    my ($ok) = esearch($bad);
    like($ok, qr/^\S+ BAD /, "$bad: BAD");
}

done_testing();
