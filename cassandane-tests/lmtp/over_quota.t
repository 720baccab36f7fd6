#!/usr/bin/perl
# over_quota.t - a recipient whose quota root would be exceeded gets
# 452 4.2.2 (temporary): at RCPT when MAIL announced SIZE=, after DATA
# otherwise; the other recipient of the batch still gets the message,
# and a message that fits is accepted and counted.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)]);
Murder::LMTP::mbtool($n, 'quota', 'user.alice', 2);   # 2 KiB
my $c = Murder::LMTP->connect($n);
like($c->cmd('LHLO x'), qr/^250 /m, 'LHLO');
$c->{lhlo} = 1;
like($c->cmd('MAIL FROM:<s@x> SIZE=5000'), qr/^250 /, 'MAIL SIZE=5000');
like($c->cmd('RCPT TO:<alice@x>'), qr/^452 4\.2\.2 /, 'over quota at RCPT: 452 4.2.2');
like($c->cmd('RSET'), qr/^250 /, 'RSET');
my $big = Murder::LMTP::message(body => join("", ("y" x 78 . "\r\n") x 40));
my $r = $c->deliver('s@x', [qw(alice@x bob@x)], $big);
like($r->{data}[0], qr/^452 4\.2\.2 /, 'over quota after DATA: 452 4.2.2');
like($r->{data}[1], qr/^250 /, 'bob still gets it');
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 0, 'not stored for alice');
$r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message());
like($r->{data}[0], qr/^250 /, 'a small one fits');
like(Murder::LMTP::mbtool($n, 'usage', 'user.alice'), qr/^STORAGE [1-9]\d* MESSAGE 1$/,
     'usage counted');
done_testing;
