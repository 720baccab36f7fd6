#!/usr/bin/perl
# stls.t - STLS (RFC 2595): +OK then the TLS handshake; afterwards CAPA no
# longer offers STLS, a second STLS is -ERR, and login is logged tls=<1>.
# A USER given before STLS is forgotten.  Commands pipelined after STLS in
# plaintext are refused and the connection closed (CVE-2011-0411).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'], tls => 1);
my $c = Murder::POP3->connect($n);
like($c->cmd('USER alice'), qr/^\+OK/, 'USER before STLS');
like($c->cmd('STLS'), qr/^\+OK/, 'STLS');
ok($c->start_ssl, 'handshake');
my ($ok, @caps) = $c->multi('CAPA');
ok(!(grep { $_ eq 'STLS' } @caps), 'no STLS in CAPA under TLS');
like($c->cmd('STLS'), qr/^-ERR /, 'second STLS refused');
like($c->cmd('PASS alice-pw'), qr/^-ERR /, 'USER was forgotten');
like($c->login('alice'), qr/^\+OK/, 'login under TLS');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<plaintext> tls=<1>/, 5), 'tls=<1>');
like($c->cmd('STAT'), qr/^\+OK 0 0/, 'STAT under TLS');

my $d = Murder::POP3->connect($n);
$d->send("STLS\r\nCAPA\r\n");
like($d->line // '', qr/^-ERR Data after STLS/, 'pipelined plaintext after STLS refused');
ok($d->at_eof, 'and closed');

my $m = Murder::POP3::node(users => ['alice']);
my $e = Murder::POP3->connect($m);
my (undef, @c2) = $e->multi('CAPA');
ok(!(grep { $_ eq 'STLS' } @c2), 'no STLS without a certificate');
like($e->cmd('STLS'), qr/^-ERR /, 'STLS refused without a certificate');
$m->stop;
$n->stop;
done_testing;
