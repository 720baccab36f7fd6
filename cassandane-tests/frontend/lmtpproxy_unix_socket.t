#!/usr/bin/perl
# lmtpproxy_unix_socket.t - lmtpproxyd -a on the frontend's lmtpsocket
# path (a cyrus.conf listen= path, as Postfix's lmtp:unix: uses) takes a
# delivery without AUTH and routes it to the user's backend; on TCP
# without -a, MAIL before AUTH is refused.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::LMTP;

skip_unless_built(qw(master imapd pop3d lmtpd lmtpproxyd ctl_mboxlist testsvc));

my $t = Murder::Proxy::murder(frontend_services => [
    { name => 'lmtpunix', cmd => 'lmtpproxyd -a', prefork => 0, listen => 'unix' }]);
Murder::Proxy::provision($t, bob => 1);
my $f = $t->frontend(0);

my $tcp = Murder::LMTP->connect($f);
$tcp->cmd('LHLO mta.example');
like($tcp->cmd('MAIL FROM:<s@example.com>'), qr/^530 /, 'TCP without -a: AUTH required');
$tcp->close;

my $c = Murder::LMTP->connect($f, service => 'lmtpunix');
like($c->greeting, qr/^220 /, 'greeting over the unix socket');
my $r = $c->deliver('s@example.com', ['bob@example.com'], Murder::LMTP::message(subject => 'unix'));
like($r->{rcpt}[0], qr/^250 /, 'RCPT without AUTH');
like($r->{data}[0] // '', qr/^250 2\.1\.5/, 'delivered');
my @m = Murder::Proxy::backend_messages($t->backend(1), 'bob', 'INBOX');
is(scalar @m, 1, "bob's message is on backend 2");
like($m[0] // '', qr/^Subject: unix\r$/m, 'the right message');
$t->stop;
done_testing;
