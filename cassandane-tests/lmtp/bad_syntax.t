#!/usr/bin/perl
# bad_syntax.t - malformed or out-of-sequence commands get 5xx replies
# with enhanced status codes and the session continues: a delivery on
# the same connection afterwards works.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => ['alice']);
my $c = Murder::LMTP->connect($n);
like($c->cmd('EHLO x'), qr/^500 5\.5\.1 /, 'EHLO: this is LMTP');
like($c->cmd('MAIL FROM:<s@x>'), qr/^503 5\.5\.1 /, 'MAIL before LHLO');
like($c->cmd('LHLO'), qr/^501 5\.5\.4 /, 'LHLO without a host');
like($c->cmd('LHLO x'), qr/^250 /m, 'LHLO');
like($c->cmd('FOO bar'), qr/^500 5\.5\.2 /, 'unknown command');
like($c->cmd('RCPT TO:<alice@x>'), qr/^503 5\.5\.1 /, 'RCPT before MAIL');
like($c->cmd('MAIL FROM:s@x'), qr/^501 5\.5\.4 /, 'MAIL without brackets');
like($c->cmd('MAIL FROM:<s@x> BOGUS=1'), qr/^555 5\.5\.4 /, 'unknown MAIL parameter');
like($c->cmd('MAIL FROM:<s@x>'), qr/^250 /, 'MAIL');
like($c->cmd('RCPT TO:<al ice@x>'), qr/^501 5\.5\.4 /, 'bad address');
like($c->cmd('DATA'), qr/^554 5\.5\.1 /, 'DATA without recipients');
like($c->cmd('VRFY alice'), qr/^252 2\.5\.2 /, 'VRFY: 252');
like($c->cmd('RSET'), qr/^250 2\.0\.0/, 'RSET');
$c->{lhlo} = 1;
my $r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message());
like($r->{data}[0], qr/^250 /, 'a delivery after the errors');
done_testing;
