#!/usr/bin/perl
# crash_kill_midbatch.t - kill -9 lmtpd as soon as the first 250 after
# DATA of a five-recipient batch arrives: every recipient that got a 250
# has the intact message, and no mailbox holds a partial or duplicate one
# (each has zero or one complete copy).  Where the kill lands differs
# from run to run; the invariant holds wherever it lands.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my @users = qw(u1 u2 u3 u4 u5);
my $n = Murder::LMTP::lmtpd_node(users => \@users);
my $c = Murder::LMTP->connect($n);
my $pid = ($n->child_pids('lmtp'))[0];
ok($pid, 'lmtpd child found');
$n->allow_crash($pid);
like($c->cmd('LHLO x'), qr/^250 /m, 'LHLO');
like($c->cmd('MAIL FROM:<s@x>'), qr/^250 /, 'MAIL');
like($c->cmd("RCPT TO:<$_\@x>"), qr/^250 /, "RCPT $_") for @users;
like($c->cmd('DATA'), qr/^354 /, 'DATA');
my $msg = Murder::LMTP::message(body => "kill test line\r\n" x 200);
$c->send($msg . ".\r\n");
my @got = ($c->reply);
kill('KILL', $pid);
while (defined(my $l = $c->reply(5))) { push @got, $l }
like($got[0], qr/^250 /, 'first recipient acknowledged before the kill');
note(scalar(@got) . ' replies before the kill');
for my $i (0 .. $#users) {
    my @m = Murder::LMTP::messages($n, "user.$users[$i]");
    cmp_ok(scalar @m, '<=', 1, "$users[$i]: at most one copy");
    if ($i < @got && $got[$i] =~ /^250 /) {
        is(scalar @m, 1, "$users[$i]: acknowledged, so stored");
    }
    for my $m (@m) {
        my $text = Murder::LMTP::message_text($m) // '';
        ok(substr($text, -length $msg) eq $msg, "$users[$i]: intact");
    }
}
done_testing;
