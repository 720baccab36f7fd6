#!/usr/bin/perl
# duplicate_suppression.t - the same Message-ID delivered twice to a
# mailbox is answered 250 both times but stored once; another mailbox
# still gets its copy; a different Message-ID is stored.  The records of
# one message are written together after the replies (lmtp_dup_mark_all):
# a mailbox named twice in one transaction still gets one copy, and every
# recipient's record is there for the next attempt.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)]);
my $c = Murder::LMTP->connect($n);
my $msg = Murder::LMTP::message(msgid => '<dup-1@test>');
my $r = $c->deliver('s@x', ['alice@x'], $msg);
like($r->{data}[0], qr/^250 /, 'first delivery');
$r = $c->deliver('s@x', ['alice@x', 'bob@x'], $msg);
like($r->{data}[0], qr/^250 /, 'duplicate answered 250');
like($r->{data}[1], qr/^250 /, 'bob 250');
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 1, 'alice: stored once');
is(scalar(Murder::LMTP::messages($n, 'user.bob')), 1, 'bob: stored');
ok($n->wait_for_log(qr/duplicate suppressed rcpt=<alice\@x> mailbox=<user\.alice> msgid=<<dup-1\@test>>/, 5),
   'suppression logged');
$r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message(msgid => '<dup-2@test>'));
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 2, 'another Message-ID is stored');
$r = $c->deliver('s@x', ['alice@x', 'alice@x'], Murder::LMTP::message(msgid => '<dup-3@test>'));
like($r->{data}[$_], qr/^250 /, "same mailbox twice: reply $_ is 250") for 0, 1;
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 3, 'same mailbox twice: stored once');
my $m4 = Murder::LMTP::message(msgid => '<dup-4@test>');
$c->deliver('s@x', ['alice@x', 'bob@x'], $m4);
$r = $c->deliver('s@x', ['bob@x', 'alice@x'], $m4);
like($r->{data}[$_], qr/^250 /, "retried batch: reply $_ is 250") for 0, 1;
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 4, 'retried batch: alice once');
is(scalar(Murder::LMTP::messages($n, 'user.bob')), 2, 'retried batch: bob once');
done_testing;
