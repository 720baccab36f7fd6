#!/usr/bin/perl
# dele_quit.t - DELE then QUIT (UPDATE state) removes the messages: an
# IMAP session on the INBOX is told "* n EXPUNGE" at its next NOOP, and a
# new POP3 session lists the rest with their UIDLs unchanged.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice']);
Murder::POP3::append($n, 'alice', map { Murder::MsgIMAP::msg("Subject: $_\n\nb\n") } 1 .. 4);
my $i = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'login');
my (undef, @before) = $c->multi('UIDL');
like($c->cmd('DELE 2'), qr/^\+OK/, 'DELE 2');
like($c->cmd('DELE 4'), qr/^\+OK/, 'DELE 4');
my ($ok, @u) = Murder::MsgIMAP::cmd($i, 'NOOP');
is_deeply([grep { /EXPUNGE/ } @u], [], 'nothing expunged before QUIT');
like($c->cmd('QUIT'), qr/^\+OK/, 'QUIT');
ok($c->at_eof, 'closed');
ok($n->wait_for_log(qr/pop3 update deleted=<2> expunged=<2>/, 5), 'update logged');
($ok, @u) = Murder::MsgIMAP::cmd($i, 'NOOP');
is_deeply([grep { /EXPUNGE/ } @u], ['* 4 EXPUNGE', '* 2 EXPUNGE'],
          'IMAP session sees the EXPUNGEs');

my $d = Murder::POP3->connect($n);
like($d->login('alice'), qr/^\+OK/, 'new session');
my (undef, @after) = $d->multi('UIDL');
my @kept = map { (split / /)[1] } @before[0, 2];
is_deeply([map { (split / /)[1] } @after], \@kept, 'the others remain, same UIDLs');
$n->stop;
done_testing;
