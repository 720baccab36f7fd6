#!/usr/bin/perl
# mbox_two_sessions.t - a session with INBOX selected learns about another
# session's APPEND at its next command: "* n EXISTS" before the tagged
# reply of a NOOP (and of any other command), and a mailbox deleted under
# it ends the session with BYE.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd('CREATE user/alice');
my $one = Murder::RawIMAP->connect($n);
$one->login('alice', 'alice-pw');
$one->cmd('CREATE Box');
my ($ok, @u) = $one->cmd('SELECT Box');
ok((grep { $_ eq '* 0 EXISTS' } @u), 'empty at SELECT');
my $two = Murder::RawIMAP->connect($n);
$two->login('alice', 'alice-pw');
my $msg = "Subject: x\r\n\r\nhi\r\n";
$two->send("A1 APPEND Box {" . length($msg) . "+}\r\n$msg\r\n");
like(scalar $two->until_tag('A1'), qr/^A1 OK/, 'APPEND in the other session');
($ok, @u) = $one->cmd('NOOP');
is_deeply(\@u, ['* 1 EXISTS'], 'NOOP reports EXISTS before its OK');
like($ok, qr/^t\d+ OK/, 'NOOP ok');
($ok, @u) = $one->cmd('NOOP');
is_deeply(\@u, [], 'reported only once');
$two->send("A2 APPEND Box {" . length($msg) . "+}\r\n$msg\r\n");
$two->until_tag('A2');
($ok, @u) = $one->cmd('LIST "" "Box"');
is($u[-1], '* 2 EXISTS', 'also at another command');
like(scalar $two->cmd('DELETE Box'), qr/OK/, 'DELETE by the other session');
$one->send("t99 NOOP\r\n");
my $l = $one->line;
like($l, qr/^\* BYE/, 'the selected mailbox vanished: BYE');
$n->stop;
done_testing;
