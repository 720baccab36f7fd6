#!/usr/bin/perl
# bad_commands.t - unknown commands, syntax errors and over-long lines are
# answered -ERR and the session goes on until the bad-command limit of the
# state (maxbadcommands_preauth before login, maxbadcommands after); the
# one past it gets "-ERR Too many invalid commands" and the connection is
# closed.  A long line costs one bad command, and the line after it is
# read normally.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice'],
                           config => { maxbadcommands_preauth => 2,
                                       maxbadcommands => 3 });
my $c = Murder::POP3->connect($n);
like($c->cmd('X' x 5000), qr/^-ERR Line too long/, 'long line: -ERR');
my ($ok) = $c->multi('CAPA');
like($ok, qr/^\+OK/, 'next line read normally');
like($c->cmd('BOGUS'), qr/^-ERR Unknown/, 'second bad command: -ERR');
like($c->cmd('RETR 1'), qr/^-ERR Too many invalid commands/, 'third: limit');
ok($c->at_eof, 'closed');

my $d = Murder::POP3->connect($n);
like($d->cmd('BOGUS'), qr/^-ERR /, 'one bad before login');
like($d->login('alice'), qr/^\+OK/, 'login');
like($d->cmd('DELE'), qr/^-ERR /, 'syntax: -ERR (1)');
like($d->cmd('STAT 1'), qr/^-ERR /, 'syntax: -ERR (2)');
like($d->cmd('USER x'), qr/^-ERR /, 'wrong state: -ERR (3)');
like($d->cmd('NOOP'), qr/^\+OK/, 'still served at the limit');
like($d->cmd('LIST a b c'), qr/^-ERR Too many invalid commands/, 'fourth: limit');
ok($d->at_eof, 'closed');
ok($n->wait_for_log(qr/PROTOERR bad command reason=<Line too long>/, 5), 'logged');
$n->stop;
done_testing;
