#!/usr/bin/perl
# implicit_tls.t - pop3d -s (pop3s): the TLS handshake comes first, then
# the greeting; STLS is not offered; login is logged tls=<1>; a plaintext
# client gets no greeting.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use IO::Select;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'], pop3s => 1);
my $c = Murder::POP3->connect($n, service => 'pop3s', ssl => 1);
like($c->greeting // '', qr/^\+OK /, 'greeting over TLS');
my (undef, @caps) = $c->multi('CAPA');
ok(!(grep { $_ eq 'STLS' } @caps), 'no STLS');
like($c->login('alice'), qr/^\+OK/, 'login');
ok($n->wait_for_log(qr/login ok user=<alice> mech=<plaintext> tls=<1>/, 5), 'tls=<1>');

my $sock = $n->connect('pop3s');
my $sel = IO::Select->new($sock);
my $got = '';
if ($sel->can_read(2)) { sysread($sock, $got, 100) }
unlike($got, qr/\+OK/, 'no plaintext greeting');
$n->stop;
done_testing;
