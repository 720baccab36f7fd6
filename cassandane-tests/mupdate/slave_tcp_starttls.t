#!/usr/bin/perl
# slave_tcp_starttls.t - STARTTLS on the frontend's mupdate slave TCP
# listener when tls_server_cert/key are set: "* STARTTLS" in the banner,
# OK, the handshake, the banner again without it, login and FIND over
# TLS (logged tls=<1>), a second STARTTLS refused; a command pipelined in
# plaintext after STARTTLS is never run; garbage instead of a handshake
# closes the connection; a peer that stalls in its
# handshake holds up nobody (a local FIND meanwhile is answered at once)
# and is closed after the 10 s handshake limit.  Local peers are told
# STARTTLS is not needed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;
use Murder::RawIMAP;
use Murder::Topology;
use IO::Socket::UNIX;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);

skip_unless_built(qw(master mupdate ctl_mboxlist));
eval { require IO::Socket::SSL; 1 } or plan(skip_all => 'IO::Socket::SSL missing');

my ($cert, $key) = Murder::RawIMAP::make_cert(Murder::Instance::test_dir() . '/tls');
my $t = Murder::Topology->murder(backends => 0, frontends => 1, placeholders => 1,
                                  frontend_config => { serverlist => '127.0.0.98',
                                                       tls_server_cert => $cert,
                                                       tls_server_key => $key });
my $fe = $t->frontend(0);
$t->start;
my ($admin, $pw) = ($Murder::Topology::ADMIN_USER, $Murder::Topology::ADMIN_PASSWORD);
my $sockpath = $fe->imapd_option('configdirectory') . '/socket/mupdate.target';

my $m = Murder::MUPDATE->new($t->mupdate->connect('mupdate'));
$m->auth($admin, $pw) or die 'master auth: ' . ($m->last_text // '');
is($m->cmd('ACTIVATE', 'user.tls1', '127.0.0.98!default', "tls1\tlrs\t")->{status}, 'OK',
   'ACTIVATE on the master');
ok(Murder::Util::wait_for(sub { -S $sockpath }, 10), 'the slave listens on its local socket');
my $l = Murder::MUPDATE->new(IO::Socket::UNIX->new(Peer => $sockpath)
                             // die "connect $sockpath: $!");
is($l->cmd('NOOP')->{status}, 'OK', 'local NOOP: the slave caught up');
is($l->cmd('STARTTLS')->{status}, 'NO', 'local STARTTLS: NO (not needed)');

sub tcp_peer { Murder::MUPDATE->new($fe->connect('mupdate')) }

# --- STARTTLS, then login and commands over TLS
my $c = tcp_peer();
ok($c->caps->{STARTTLS}, '* STARTTLS in the banner') or diag(join("\n", $c->banner));
is($c->cmd('STARTTLS')->{status}, 'OK', 'STARTTLS ok');
ok(IO::Socket::SSL->start_SSL($c->sock, SSL_verify_mode => 0, Timeout => 10), 'TLS handshake')
    or diag(IO::Socket::SSL::errstr());
my @b = $c->read_banner;
like($b[-1] // '', qr/^\* OK MUPDATE /, 'banner again after the handshake');
ok(!$c->caps->{STARTTLS}, 'no STARTTLS in it');
ok($c->caps->{AUTH} && grep($_ eq 'PLAIN', @{$c->caps->{AUTH}}), 'PLAIN offered');
is($c->cmd('STARTTLS')->{status}, 'NO', 'second STARTTLS: NO');
ok($c->auth($admin, $pw), 'login over TLS') or diag($c->last_text);
ok($fe->wait_for_log(qr/login ok user=<\Q$admin\E> mech=<PLAIN> tls=<1>/, 5), 'logged tls=<1>');
is_deeply($c->cmd('FIND', 'user.tls1')->{items},
          [['MAILBOX', 'user.tls1', '127.0.0.98!default', "tls1\tlrs\t"]], 'FIND over TLS');
is($c->cmd('NOOP')->{status}, 'OK', 'NOOP over TLS');
$c->close;

# --- the ClientHello sent the moment the OK arrives is never read as
# plaintext: STARTTLS and a handshake, many times in a row (the slave
# once read on after its OK and could swallow it, stalling the handshake
# until its 10 s limit)
{
    my $good = 0;
    for my $i (1 .. 20) {
        my $q = tcp_peer();
        last unless ($q->cmd('STARTTLS')->{status} // '') eq 'OK';
        last unless IO::Socket::SSL->start_SSL($q->sock, SSL_verify_mode => 0, Timeout => 5);
        $good++;
        $q->close;
    }
    is($good, 20, 'STARTTLS + handshake 20 times in a row');
}

# --- plaintext pipelined after STARTTLS is never run
my $p = tcp_peer();
$p->send_raw("S1 STARTTLS\r\nS2 AUTHENTICATE \"PLAIN\" \""
             . encode_base64("\0$admin\0$pw", '') . "\"\r\n");
like($p->read_response->{raw} // '', qr/^S1 OK/, 'STARTTLS answered');
ok(!defined $p->read_response(5), 'then closed: the pipelined command was not run');
ok($fe->wait_for_log(qr/PROTOERR data after STARTTLS/, 5), 'logged as a protocol error');
ok(!$fe->log_lines(qr/login ok user=<\Q$admin\E> mech=<PLAIN> tls=<0>/),
   'no plaintext login happened');

# --- garbage instead of a ClientHello: closed at once, logged
my $junk = tcp_peer();
is($junk->cmd('STARTTLS')->{status}, 'OK', 'junk: STARTTLS ok');
$junk->send_raw("this is not a TLS record\r\n" x 4);
ok(!defined $junk->read_line(5), 'junk: closed');
ok($fe->wait_for_log(qr/TLS handshake failed/, 5), 'junk: handshake failure logged');
is($l->cmd('FIND', 'user.tls1')->{status}, 'OK', 'the slave still serves');

# --- a stalled handshake holds up nobody, and is closed after 10 s
my $stall = tcp_peer();
is($stall->cmd('STARTTLS')->{status}, 'OK', 'staller: STARTTLS ok');
my $t0 = time();
is($l->cmd('FIND', 'user.tls1')->{status}, 'OK', 'a local FIND meanwhile');
cmp_ok(time() - $t0, '<', 1, sprintf('... answered at once (%.3f s)', time() - $t0));
my $ts = time();
ok(!defined $stall->read_line(15), 'the staller is closed');
cmp_ok(time() - $ts, '>=', 8, sprintf('... after the handshake limit (%.1f s)', time() - $ts));
ok($fe->wait_for_log(qr/TLS handshake timed out/, 5), '... logged');

$l->close;
$m->close;
$t->stop;
done_testing;
