#!/usr/bin/perl
# over_quota_perm.t - with lmtp_over_quota_perm_failure an over-quota
# recipient gets the permanent 552 5.2.2 instead of 452 4.2.2, at RCPT
# and after DATA.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)],
                                 config => { lmtp_over_quota_perm_failure => 'yes' });
Murder::LMTP::mbtool($n, 'quota', 'user.alice', 1);
my $c = Murder::LMTP->connect($n);
like($c->cmd('LHLO x'), qr/^250 /m, 'LHLO');
$c->{lhlo} = 1;
like($c->cmd('MAIL FROM:<s@x> SIZE=5000'), qr/^250 /, 'MAIL');
like($c->cmd('RCPT TO:<alice@x>'), qr/^552 5\.2\.2 /, 'RCPT: 552 5.2.2');
like($c->cmd('RSET'), qr/^250 /, 'RSET');
my $r = $c->deliver('s@x', [qw(bob@x alice@x)],
                    Murder::LMTP::message(body => join("", ("z" x 78 . "\r\n") x 30)));
like($r->{data}[0], qr/^250 /, 'bob delivered');
like($r->{data}[1], qr/^552 5\.2\.2 /, 'alice after DATA: 552 5.2.2');
done_testing;
