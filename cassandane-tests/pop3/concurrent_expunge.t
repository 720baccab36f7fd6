#!/usr/bin/perl
# concurrent_expunge.t - the POP3 message list is fixed at login: a message
# an IMAP session expunges meanwhile answers -ERR on RETR (the session goes
# on), and QUIT with it DELE'd still succeeds; mail arriving during the
# session is not listed until the next one.
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
my $i = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
Murder::MsgIMAP::cmd($i, 'STORE 1 +FLAGS.SILENT (\Deleted)');
like(scalar Murder::MsgIMAP::cmd($i, 'EXPUNGE'), qr/^\S+ OK/, 'IMAP expunges 1');
Murder::MsgIMAP::append($i, 'INBOX', Murder::MsgIMAP::msg("Subject: 4\n\nb\n"));

like($c->cmd('STAT'), qr/^\+OK 3 /, 'list fixed at login');
like($c->cmd('RETR 1'), qr/^-ERR /, 'RETR of the expunged one: -ERR');
my ($ok) = $c->multi('RETR 2');
like($ok, qr/^\+OK/, 'others still readable');
like($c->cmd('DELE 1'), qr/^\+OK/, 'DELE of the expunged one');
like($c->cmd('DELE 2'), qr/^\+OK/, 'DELE 2');
like($c->cmd('QUIT'), qr/^\+OK/, 'QUIT succeeds');
my $d = Murder::POP3->connect($n);
like($d->login('alice'), qr/^\+OK/, 'new session');
like($d->cmd('STAT'), qr/^\+OK 2 /, 'message 3 and the new one');
$n->stop;
done_testing;
