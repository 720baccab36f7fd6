#!/usr/bin/perl
# unknown_user.t - an unknown recipient is refused at RCPT with
# 550 5.1.1 while the others are accepted, and after DATA exactly one
# reply per accepted recipient follows (RFC 2033 4.2).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)]);
my $c = Murder::LMTP->connect($n);
my $r = $c->deliver('s@example.com', [qw(alice@x nosuchuser@x bob@x)],
                    Murder::LMTP::message());
like($r->{rcpt}[0], qr/^250 2\.1\.5/, 'alice accepted');
like($r->{rcpt}[1], qr/^550 5\.1\.1 /, 'unknown user: 550 5.1.1');
like($r->{rcpt}[2], qr/^250 2\.1\.5/, 'bob accepted');
is(scalar @{$r->{data}}, 2, 'two replies after DATA');
like($_, qr/^250 2\.1\.5/, 'delivered') for @{$r->{data}};
like($c->cmd('NOOP', 2), qr/^250 2\.0\.0/, 'no stray third reply');
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 1, 'alice has it');
is(scalar(Murder::LMTP::messages($n, 'user.bob')), 1, 'bob has it');
done_testing;
