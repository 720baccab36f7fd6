#!/usr/bin/perl
# retr_big.t - RETR of a message much larger than the read chunk (300 KB,
# with "." lines everywhere, so some fall on chunk boundaries) arrives
# complete and correctly dot-stuffed, its length matching LIST.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $body = join('', map { $_ % 3 ? sprintf("line %06d %s\n", $_, 'x' x 40)
                                 : ".dot $_\n" } 1 .. 6000);
my $msg = Murder::MsgIMAP::msg("Subject: big\n\n$body");
my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', $msg);
my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'login');
is($c->cmd('LIST 1'), '+OK 1 ' . length($msg), 'LIST size');
my ($ok, @lines) = $c->multi('RETR 1', 30);
like($ok // '', qr/^\+OK/, 'RETR');
my $got = join('', map { "$_\r\n" } @lines);
is(length($got), length($msg), 'length matches LIST');
ok($got eq $msg, 'bytes match after unstuffing');
is($c->cmd('NOOP'), '+OK Nothing done', 'in sync afterwards');
$n->stop;
done_testing;
