#!/usr/bin/perl
# fetch_uid_ranges.t - sequence sets of FETCH / UID FETCH: '*', reversed
# ranges, UIDs with gaps (after an expunge), UID sets beyond the last
# UID, message numbers out of range (BAD) and malformed sets (BAD).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 5;
Murder::MsgIMAP::cmd($c, 'NOOP');
# expunge UID 2 and 4: UIDs 1 3 5 remain as messages 1 2 3
Murder::MsgIMAP::cmd($c, 'UID STORE 2,4 +FLAGS.SILENT (\Deleted)');
my ($ok) = Murder::MsgIMAP::cmd($c, 'EXPUNGE');
like($ok, qr/^\S+ OK/, 'expunge');

sub uids {
    my ($cmd) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $cmd);
    return ($ok, join(',', map { /UID (\d+)/ ? $1 : '?' } @u));
}
my ($r, $list);
($r, $list) = uids('UID FETCH 1:* UID');
is($list, '1,3,5', 'UID 1:*');
($r, $list) = uids('UID FETCH 4:* UID');
is($list, '5', 'UID 4:* includes the last UID');
($r, $list) = uids('UID FETCH 9:* UID');
is($list, '5', 'UID 9:* is the last message (RFC 3501: * is the largest UID)');
($r, $list) = uids('UID FETCH 100:200 UID');
like($r, qr/^\S+ OK/, 'UID set past the end is OK');
is($list, '', '... and empty');
($r, $list) = uids('FETCH * UID');
is($list, '5', 'FETCH * is the last message');
($r, $list) = uids('FETCH 3:1 UID');
is($list, '1,3,5', 'reversed range');
($r, $list) = uids('UID FETCH 2,4 UID');
is($list, '', 'expunged UIDs are left out');
($r) = uids('FETCH 4 UID');
like($r, qr/^\S+ BAD/, 'message number past EXISTS is BAD');
for my $bad ('0', '1:', ',1', '1,,2', 'a', '1:2:3') {
    ($r) = uids("FETCH $bad UID");
    like($r, qr/^\S+ BAD/, "set '$bad' is BAD");
}
$n->stop;
done_testing;
