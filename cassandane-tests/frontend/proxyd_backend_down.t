#!/usr/bin/perl
# proxyd_backend_down.t - a killed backend: its mailboxes answer NO
# [UNAVAILABLE] (promptly), the other backend's keep working in the same
# session, a selection on the dead backend ends with [CLOSED] and the
# session survives.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist));

my $t = Murder::Proxy::murder();
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
Murder::Proxy::admin_cmd($t->backend(1), "CREATE shared${s}news");
Murder::Proxy::sync_frontend($t, 'shared.news');
my $f = $t->frontend(0);

my $c = Murder::MsgIMAP::client($f, 'alice');
my (undef, @l) = $c->cmd('LIST "" "*"');
my ($news) = map { /"([^"]*shared\Q$s\Enews)"$/ ? $1 : () } @l;
ok($news, 'the shared folder on backend2 is listed');
like(scalar $c->cmd(qq{SELECT "$news"}), qr/^\S+ OK/, 'SELECT it (backend2)');
$t->backend(1)->stop;
my ($ok, @u) = $c->cmd('FETCH 1:* FLAGS');
like($ok, qr/^\S+ NO \[UNAVAILABLE\]/, 'selected mailbox on the killed backend: NO [UNAVAILABLE]');
ok((grep { /^\* OK \[CLOSED\]/ } @u), '... and the selection ends with [CLOSED]');
like(scalar $c->cmd(qq{SELECT "$news"}), qr/^\S+ NO \[UNAVAILABLE\]/, 'SELECT there: NO [UNAVAILABLE]');
like(scalar $c->cmd(qq{STATUS "$news" (MESSAGES)}), qr/^\S+ NO \[UNAVAILABLE\]/, 'STATUS there too');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'INBOX on backend1 still works');
like(Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: x\n\ny\n")),
     qr/OK/, 'APPEND to backend1 works');
like(scalar $c->cmd('FETCH 1 FLAGS'), qr/^\S+ OK/, 'FETCH on backend1 works');
like(scalar $c->cmd('LIST "" "*"'), qr/^\S+ OK/, 'LIST works');
$c->cmd('LOGOUT');

my $b = Murder::MsgIMAP::client($f, 'bob');
like(scalar $b->cmd('SELECT INBOX'), qr/^\S+ NO \[UNAVAILABLE\]/, "bob's INBOX backend down: NO [UNAVAILABLE]");
like(scalar $b->cmd('NOOP'), qr/^\S+ OK/, 'bob: the session survives');
$b->cmd('LOGOUT');
$t->stop;
done_testing;
