#!/usr/bin/perl
# unix_socket.t - lmtpd -a listening on the lmtpsocket path (a cyrus.conf
# listen= path) accepts a delivery over the unix socket, and logs the
# peer as unix.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => ['alice'], unix => 1);
ok(-S $n->imapd_option('lmtpsocket'), 'socket at lmtpsocket');
my $c = Murder::LMTP->connect($n, service => 'lmtpunix');
like($c->greeting, qr/^220 /, 'greeting over the unix socket');
my $r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message());
like($r->{data}[0], qr/^250 2\.1\.5/, 'delivered');
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 1, 'stored');
ok($n->wait_for_log(qr/delivered rcpt=<alice\@x>.*peer=<unix>/, 5), 'peer unix in the log');
done_testing;
