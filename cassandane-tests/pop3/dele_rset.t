#!/usr/bin/perl
# dele_rset.t - DELE hides a message from STAT/LIST/UIDL and RETR, a
# second DELE of it is -ERR; RSET undeletes everything; after QUIT a new
# session still has every message (RSET undid the DELE).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', map { Murder::MsgIMAP::msg("Subject: $_\n\nb\n") } 1 .. 3);
my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'login');
my $stat = $c->cmd('STAT');
like($stat, qr/^\+OK 3 \d+$/, 'three messages');
like($c->cmd('DELE 2'), qr/^\+OK/, 'DELE 2');
like($c->cmd('STAT'), qr/^\+OK 2 \d+$/, 'STAT counts two');
like($c->cmd('DELE 2'), qr/^-ERR /, 'DELE 2 again');
like($c->cmd('RETR 2'), qr/^-ERR /, 'RETR of a deleted message');
like($c->cmd('LIST 2'), qr/^-ERR /, 'LIST 2');
my (undef, @l) = $c->multi('LIST');
is_deeply([map { (split / /)[0] } @l], [1, 3], 'LIST skips it, numbers kept');
like($c->cmd('RSET'), qr/^\+OK/, 'RSET');
is($c->cmd('STAT'), $stat, 'all back');
like($c->cmd('QUIT'), qr/^\+OK/, 'QUIT');
my $d = Murder::POP3->connect($n);
like($d->login('alice'), qr/^\+OK/, 'new session');
is($d->cmd('STAT'), $stat, 'nothing was removed');
$n->stop;
done_testing;
