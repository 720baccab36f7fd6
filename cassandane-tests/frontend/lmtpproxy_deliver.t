#!/usr/bin/perl
# lmtpproxy_deliver.t - one LMTP transaction to the frontend with
# recipients on both backends (and a user+folder one): lmtpproxyd routes
# each by the frontend's list, the MTA gets one reply per recipient in
# RCPT order, and each message lands on the right backend once, with one
# Return-Path; an unknown user is refused at RCPT (550 5.1.1 once the
# slave confirmed the list is current, 451 while it cannot be asked).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::LMTP;
use Murder::RawIMAP;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d lmtpd lmtpproxyd ctl_mboxlist testsvc));

my $t = Murder::Proxy::murder();
my $sep = Murder::Proxy::provision($t, alice => 0, bob => 1);
my ($b1, $b2, $f) = ($t->backend(0), $t->backend(1), $t->frontend(0));
my $a = Murder::MsgIMAP::client($b1, 'alice');
like(scalar $a->cmd("CREATE INBOX${sep}lists"), qr/^\S+ OK/, 'alice creates a folder');
like(scalar $a->cmd("SETACL INBOX${sep}lists anyone p"), qr/^\S+ OK/, 'anyone may post to it');
$a->cmd('LOGOUT');
Murder::Proxy::sync_frontend($t, 'user.alice.lists');

my $c = Murder::LMTP->connect($f);
like($c->greeting, qr/^220 /, 'frontend LMTP greets');
my $lhlo = $c->cmd('LHLO mta.example');
like($lhlo, qr/^250-PIPELINING$/m, 'PIPELINING offered');
my $ir = Murder::RawIMAP::plain('', $Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD);
like($c->cmd("AUTH PLAIN $ir"), qr/^235 /, 'the MTA authenticates');
$c->{lhlo} = $lhlo;

my $msg = Murder::LMTP::message(subject => 'both backends');
my $r = $c->deliver('sender@example.com',
    ['alice@example.com', 'nobody@example.com', 'bob@example.com',
     'alice+lists@example.com'], $msg);
like($r->{mail}, qr/^250 /, 'MAIL');
like($r->{rcpt}[0], qr/^250 2\.1\.5/, 'RCPT alice (backend 1)');
my $unknown = Murder::Proxy::real_flow() ? qr/^550 5\.1\.1 / : qr/^451 4\.3\.0 /;
like($r->{rcpt}[1], $unknown, 'RCPT nobody: refused after asking the slave');
like($r->{rcpt}[2], qr/^250 2\.1\.5/, 'RCPT bob (backend 2)');
like($r->{rcpt}[3], qr/^250 2\.1\.5/, 'RCPT alice+lists');
like($r->{data354}, qr/^354 /, 'DATA');
is(scalar @{$r->{data}}, 3, 'three replies after the data');
like($_, qr/^250 2\.1\.5/, 'delivered') for @{$r->{data}};
like($c->cmd('QUIT'), qr/^221 /, 'QUIT');

my @in = Murder::Proxy::backend_messages($b1, 'alice', 'INBOX');
is(scalar @in, 1, 'alice: one message in INBOX on backend 1');
my @ls = Murder::Proxy::backend_messages($b1, 'alice', "INBOX${sep}lists");
is(scalar @ls, 1, 'alice: one message in INBOX/lists');
my @bob = Murder::Proxy::backend_messages($b2, 'bob', 'INBOX');
is(scalar @bob, 1, 'bob: one message on backend 2');
for my $m ($in[0] // '', $bob[0] // '') {
    ok(substr($m, -length $msg) eq $msg, 'the message bytes arrive intact');
    is(scalar(() = $m =~ /^Return-Path:/mg), 1, 'exactly one Return-Path');
    is(scalar(() = $m =~ /^Received:/mg), 2, 'a Received by the frontend and one by the backend');
}
ok(!$b2->log_lines(qr/rcpt=<alice/), 'nothing for alice reached backend 2');
ok(!$b1->log_lines(qr/rcpt=<bob/), 'nothing for bob reached backend 1');
$t->stop;
done_testing;
