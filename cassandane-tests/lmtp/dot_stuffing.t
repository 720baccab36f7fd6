#!/usr/bin/perl
# dot_stuffing.t - lines starting with "." arrive dot-stuffed and are
# stored unstuffed; a line that is only ".." becomes "."; the final "."
# is not part of the message.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => ['alice']);
my $c = Murder::LMTP->connect($n);
my $body = ".leading dot\r\n.\r\n..two\r\nend\r\n";
my $r = $c->deliver('s@x', ['alice@x'], Murder::LMTP::message(body => $body));
like($r->{data}[0], qr/^250 /, 'delivered');
my ($m) = Murder::LMTP::messages($n, 'user.alice');
my $text = Murder::LMTP::message_text($m);
ok(substr($text, -length $body) eq $body, 'stored unstuffed')
    or diag(substr($text, -60));
done_testing;
