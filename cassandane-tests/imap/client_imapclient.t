#!/usr/bin/perl
# client_imapclient.t - a real client library, Mail::IMAPClient, against
# imapd: login, folder list and create, APPEND, SELECT, SEARCH, FETCH,
# flags, move (COPY with COPYUID, \Deleted, EXPUNGE), IDLE woken by another session's APPEND,
# LOGOUT.  Skipped (with the reason) when the module is not installed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));
BEGIN {
    eval { require Mail::IMAPClient; 1 }
        or plan(skip_all => 'Mail::IMAPClient not installed (libmail-imapclient-perl)');
}

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $S = $Murder::MsgIMAP::SEP;
my ($host, $port) = ($n->address, $n->port('imap'));
my $imap = Mail::IMAPClient->new(Server => $host, Port => $port, User => 'alice',
                                 Password => $Murder::RawIMAP::USERS{alice},
                                 Uid => 1, Timeout => 10, Debug => $ENV{IMAPCLIENT_DEBUG} // 0)
    or BAIL_OUT("connect/login: $@");
ok($imap->IsAuthenticated, 'logged in');
ok($imap->has_capability('IDLE'), 'capabilities parsed (IDLE)');
ok($imap->create('Archive'), 'create Archive') or diag $imap->LastError;
my @folders = $imap->folders;
ok((grep { $_ eq 'INBOX' } @folders) && (grep { $_ eq 'Archive' } @folders),
   'folders: INBOX and Archive') or diag explain \@folders;
is($imap->separator, $S, 'separator');

my @uids;
for my $i (1 .. 3) {
    my $uid = $imap->append_string('INBOX',
        "From: bob\@example.com\r\nSubject: note $i\r\n\r\nbody $i\r\n",
        $i == 2 ? '\Flagged' : undef);
    ok($uid, "append $i: APPENDUID $uid") or diag $imap->LastError;
    push @uids, $uid;
}
ok($imap->select('INBOX'), 'select INBOX');
is($imap->message_count, 3, 'three messages');
is_deeply([$imap->search('SUBJECT', 'note 2')], [$uids[1]], 'search SUBJECT');
is_deeply([$imap->search('FLAGGED')], [$uids[1]], 'search FLAGGED');
like($imap->subject($uids[2]), qr/note 3/, 'fetch the Subject');
like($imap->body_string($uids[0]) // '', qr/body 1/, 'fetch the body');
ok((grep { $_ eq '\Seen' } $imap->flags($uids[0])), 'reading the body set \Seen');
ok($imap->set_flag('Answered', $uids[2]), 'set \Answered');
ok((grep { $_ eq '\Answered' } $imap->flags($uids[2])), '\Answered is there');
# Mail::IMAPClient's move is COPY + \Deleted (its expunge does the rest)
my $moved = $imap->move('Archive', $uids[1]);
ok($moved, 'move to Archive') or diag $imap->LastError;
ok($imap->expunge, 'expunge');
is($imap->message_count('INBOX'), 2, 'INBOX has two left');
is($imap->message_count('Archive'), 1, 'Archive has one');

# IDLE, woken by another session's APPEND
my $tag = $imap->idle or BAIL_OUT('idle: ' . $imap->LastError);
my $other = Murder::MsgIMAP::client($n, 'alice');
Murder::MsgIMAP::append($other, 'INBOX', "Subject: late\r\n\r\nx\r\n");
my $resp = $imap->idle_data(5) || [];
ok((grep { /\b3 EXISTS/ } @$resp), 'IDLE saw EXISTS') or diag explain $resp;
ok($imap->done($tag), 'DONE');
ok($imap->logout, 'logout');
$n->stop;
done_testing;
