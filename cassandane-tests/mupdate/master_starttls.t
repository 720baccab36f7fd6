#!/usr/bin/perl
# master_starttls.t - STARTTLS on the MUPDATE master with tls_server_cert
# and tls_server_key: "* STARTTLS" in the banner, OK, the handshake, the
# banner again without STARTTLS, login and commands over TLS, a second
# STARTTLS refused; a command pipelined in plaintext right after STARTTLS
# is never run (the connection is closed instead).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;

skip_unless_built(qw(master mupdate));
eval { require IO::Socket::SSL; 1 } or plan(skip_all => 'IO::Socket::SSL missing');

my $n = Murder::MUPDATE::mupdate_node(tls => 1);
my $c = Murder::MUPDATE->connect($n);
ok($c->caps->{STARTTLS}, '* STARTTLS in the banner');
my $r = $c->cmd('STARTTLS');
is($r->{status}, 'OK', 'STARTTLS ok');
ok(IO::Socket::SSL->start_SSL($c->sock, SSL_verify_mode => 0, Timeout => 10), 'TLS handshake')
    or diag(IO::Socket::SSL::errstr());
my @b = $c->read_banner;
like($b[-1], qr/^\* OK MUPDATE /, 'banner again after the handshake');
ok(!$c->caps->{STARTTLS}, 'no STARTTLS in it');
ok($c->caps->{AUTH} && @{$c->caps->{AUTH}}, 'mechanisms offered');
is($c->cmd('STARTTLS')->{status}, 'NO', 'second STARTTLS: NO');
ok($c->auth('admin', $Murder::MUPDATE::USERS{admin}), 'login over TLS');
ok($n->wait_for_log(qr/login ok user=<admin> mech=<PLAIN> tls=<1>/, 5), 'logged tls=<1>');
is($c->cmd('RESERVE', 'user.tls', 'be1!default')->{status}, 'OK', 'RESERVE over TLS');
is($c->cmd('FIND', 'user.tls')->{items}[0][0], 'RESERVE', 'FIND over TLS');
$c->close;

# plaintext pipelined after STARTTLS
my $p = Murder::MUPDATE->connect($n);
$p->send_raw("S1 STARTTLS\r\nS2 AUTHENTICATE \"PLAIN\" \"AGFkbWluAGFkbWluLXB3\"\r\n");
my $resp = $p->read_response;
like($resp->{raw}, qr/^S1 OK/, 'STARTTLS answered');
ok(!defined $p->read_response(5), 'then closed: the pipelined command was not run');
ok($n->wait_for_log(qr/PROTOERR data after STARTTLS/, 5), 'logged as a protocol error');
ok(!$n->log_lines(qr/login ok user=<admin> mech=<PLAIN> tls=<0>/), 'no plaintext login happened');

$n->stop;
done_testing;
