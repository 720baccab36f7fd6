#!/usr/bin/perl
# size_limit.t - with maxmessagesize, LHLO says "SIZE n", MAIL with a
# larger SIZE= is refused with 552 5.3.4, and data over the limit (when
# no SIZE was announced) gets 552 5.3.4 for every recipient, nothing is
# stored, and the session goes on.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => [qw(alice bob)],
                                 config => { maxmessagesize => 2000 });
my $c = Murder::LMTP->connect($n);
like($c->cmd('LHLO x'), qr/^250[- ]SIZE 2000$/m, 'SIZE 2000 advertised');
like($c->cmd('MAIL FROM:<s@x> SIZE=2001'), qr/^552 5\.3\.4 /, 'SIZE= over the limit');
like($c->cmd('MAIL FROM:<s@x> SIZE=99999999999999999999999'), qr/^501 5\.5\.4 /,
     'SIZE= overflow is a syntax error');
$c->{lhlo} = 1;
my $r = $c->deliver('s@x', [qw(alice@x bob@x)],
                    Murder::LMTP::message(body => join("", ("x" x 78 . "\r\n") x 40)));
like($_, qr/^552 5\.3\.4 /, 'too big: 552 5.3.4') for @{$r->{data}};
is(scalar @{$r->{data}}, 2, 'one reply per recipient');
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 0, 'nothing stored');
$r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message());
like($r->{data}[0], qr/^250 /, 'a small message still goes through');
done_testing;
